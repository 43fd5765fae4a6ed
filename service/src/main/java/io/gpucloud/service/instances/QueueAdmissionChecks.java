package io.gpucloud.service.instances;

import io.gpucloud.controlplane.limits.LimitExceededException;
import io.gpucloud.controlplane.limits.Limits;
import io.gpucloud.controlplane.limits.ResourceRequest;
import io.gpucloud.service.ApiException;
import io.gpucloud.service.tenancy.OfferingRow;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.transaction.TransactionIsolationLevel;

/**
 * A queued request is not queued behind its own quota: one that its account's, domain's or project's
 * limits cannot take now is refused at once with the limit's reason (409), unless it asked to wait for
 * quota. A check in a transaction of its own, rolled back: admission counts again, exactly, under the
 * limit locks. Call it before the request's transaction writes anything that locks the account row.
 */
public final class QueueAdmissionChecks {
  private QueueAdmissionChecks() {}

  public static void requireWithinLimits(Jdbi jdbi, String accountId, String projectId, OfferingRow offering, int count) {
    try (Handle h = jdbi.open()) {
      h.setTransactionIsolationLevel(TransactionIsolationLevel.READ_COMMITTED);
      h.begin();
      try {
        new Limits().checkAndLock(h, accountId, projectId, new ResourceRequest(offering.gpuCount() * count, count,
            offering.cpuCores() * count, offering.memoryMb() * count));
      } catch (LimitExceededException e) {
        throw ApiException.conflict(e.getMessage() + "; a queued request waits for capacity, not for quota,"
            + " unless \"queue\": {\"waitForQuota\": true}");
      } finally {
        h.rollback();
      }
    }
  }
}
