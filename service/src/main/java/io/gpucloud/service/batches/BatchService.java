package io.gpucloud.service.batches;

import io.gpucloud.activities.instance.BatchRequest;
import io.gpucloud.controlplane.events.Events;
import io.gpucloud.service.ApiException;
import io.gpucloud.service.auth.Caller;
import io.gpucloud.service.auth.Scope;
import io.gpucloud.service.common.Checks;
import io.gpucloud.service.common.Idempotency;
import io.gpucloud.service.common.Iso;
import io.gpucloud.service.instances.DeployRequestDao;
import io.gpucloud.service.instances.DeployTarget;
import io.gpucloud.service.instances.InstanceOperations;
import io.gpucloud.service.instances.InstanceService;
import io.gpucloud.service.instances.InstanceView;
import io.gpucloud.service.instances.QueueAdmissionChecks;
import io.gpucloud.service.instances.QueueOptions;
import io.gpucloud.workflows.BatchStarter;
import io.gpucloud.workflows.BatchWorkflow;
import io.gpucloud.workflows.DeployStarter;
import io.temporal.client.WorkflowClient;
import java.sql.Timestamp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Batches of deploys: recorded in one transaction, run by the Batch workflow, scoped like instances. */
public class BatchService {
  private static final Logger LOG = LoggerFactory.getLogger(BatchService.class);

  private final Jdbi jdbi;
  private final WorkflowClient temporal;
  private final InstanceService instances;
  private final InstanceOperations operations;
  private final Idempotency<Created> creates;

  public BatchService(Jdbi jdbi, WorkflowClient temporal, InstanceService instances, InstanceOperations operations) {
    this.jdbi = jdbi;
    this.temporal = temporal;
    this.instances = instances;
    this.operations = operations;
    this.creates = new Idempotency<>(jdbi, Created.class);
  }

  /** What a create recorded: enough to start (again) the batch workflow. */
  public record Created(String batchId, String mode, List<String> memberIds, String accountName, String userId,
      String summary) {}

  /**
   * Records the batch and its members (Creating; with their queue rows when queued, and always for a gang,
   * which only the admission places) and starts {@code batch-<id>}. With an Idempotency-Key a repeat
   * returns the first batch and starts nothing new.
   */
  public BatchView create(Caller caller, BatchRequestBody body, String idempotencyKey) {
    BatchRequestBody req = Checks.body(body).validated();
    boolean gang = BatchRequest.GANG.equals(req.mode());
    String batchId = UUID.randomUUID().toString();
    Created created = creates.once(caller.userId(), Idempotency.key(idempotencyKey), c -> c.batchId() != null, h -> {
      DeployTarget target = DeployTarget.resolve(h, caller, req.offeringId(), req.templateId(), req.projectId());
      // a gang without "queue" is admitted now or not at all
      QueueOptions.Valid q = req.queue() != null ? req.queue().validated()
          : gang ? new QueueOptions.Valid(Duration.ZERO, 0, false) : null;
      if (q != null && !q.waitForQuota()) {
        QueueAdmissionChecks.requireWithinLimits(jdbi, target.accountId(), req.projectId(), target.offering(),
            req.count());
      }
      h.createUpdate("INSERT INTO instance_batches (id, name_prefix, account_id, user_id, offering_id, template_id,"
              + " count, mode, workflow_id) VALUES (:id, :prefix, :account, :user, :offering, :template, :count, :mode,"
              + " :workflowId)")
          .bind("id", batchId).bind("prefix", req.namePrefix()).bind("account", target.accountId())
          .bind("user", caller.userId()).bind("offering", req.offeringId()).bind("template", req.templateId())
          .bind("count", req.count()).bind("mode", req.mode()).bind("workflowId", BatchWorkflow.workflowId(batchId))
          .execute();
      DeployRequestDao tx = h.attach(DeployRequestDao.class);
      List<String> ids = new ArrayList<>();
      for (int n = 1; n <= req.count(); n++) {
        String id = UUID.randomUUID().toString();
        String workflowId = DeployStarter.workflowId(id);
        String name = req.namePrefix() + "-" + n;
        tx.insert(id, name, "i-" + id, target.accountId(), req.projectId(), caller.userId(), target.offering(),
            req.templateId(), workflowId);
        tx.joinBatch(id, batchId);
        if (q != null) {
          tx.queue(id, q.priority(), q.maxWait().toMillis(), q.waitForQuota(), batchId, gang);
        }
        Events.record(h, new Events.Event("VM.CREATE", Events.SCHEDULED, caller.userId(), target.accountId(), id, null,
            workflowId, "deploy " + name + " with offering " + target.offering().name() + " in " + req.mode()
                + " batch " + batchId));
        ids.add(id);
      }
      String accountName = h.createQuery("SELECT name FROM accounts WHERE id = :id").bind("id", target.accountId())
          .mapTo(String.class).one();
      return new Created(batchId, req.mode(), ids, accountName, caller.userId(), req.mode() + " batch of "
          + req.count() + " x " + target.offering().name() + " (" + req.namePrefix() + "-1.." + req.count()
          + ") for account " + accountName);
    }).value();
    start(created);
    return get(caller, created.batchId());
  }

  /** Starts the batch workflow unless it exists (a repeat after a crash between recording and starting). */
  private void start(Created c) {
    try {
      BatchStarter.start(temporal, new BatchRequest(c.batchId(), c.mode(), c.memberIds(), c.accountName(), c.userId()),
          c.summary());
    } catch (RuntimeException e) {
      LOG.error("could not start batch {}", c.batchId(), e);
      throw new ApiException(503, "could not start the batch workflow (Temporal unavailable); retry with the same"
          + " Idempotency-Key");
    }
  }

  public BatchView get(Caller caller, String id) {
    String batchId = Checks.requiredId("id", id);
    record Row(String prefix, String mode, int count, String state, String accountId, String offeringId,
        String templateId, String workflowId, Timestamp createdAt, String domainPath) {}
    return jdbi.withHandle(h -> {
      Scope scope = Scope.read(h, caller);
      Row r = h.createQuery("SELECT b.*, d.path FROM instance_batches b JOIN accounts a ON a.id = b.account_id"
              + " JOIN domains d ON d.id = a.domain_id WHERE b.id = :id")
          .bind("id", batchId)
          .map((rs, ctx) -> new Row(rs.getString("name_prefix"), rs.getString("mode"), rs.getInt("count"),
              rs.getString("state"), rs.getString("account_id"), rs.getString("offering_id"),
              rs.getString("template_id"), rs.getString("workflow_id"), rs.getTimestamp("created_at"),
              rs.getString("path")))
          .findOne()
          .filter(b -> scope.seesInstance(b.accountId(), b.domainPath()))
          .orElseThrow(() -> ApiException.notFound("instance batch " + batchId + " does not exist"));
      List<InstanceView> members = members(h, batchId).stream().map(m -> instances.get(caller, m)).toList();
      return new BatchView(batchId, r.prefix(), r.mode(), r.count(), r.state(), r.accountId(), r.offeringId(),
          r.templateId(), r.workflowId(), Iso.of(r.createdAt().toInstant()), members);
    });
  }

  /**
   * Cancels the batch: members still Queued are withdrawn, members in a stable state destroyed; the batch
   * workflow destroys the ones still deploying when they end.
   */
  public BatchView cancel(Caller caller, String id) {
    BatchView batch = get(caller, id);
    jdbi.useHandle(h -> h.createUpdate("UPDATE instance_batches SET state = 'Cancelled' WHERE id = :id")
        .bind("id", batch.id()).execute());
    for (InstanceView m : batch.members()) {
      try {
        operations.destroy(caller, m.id(), null);
      } catch (ApiException busy) {
        // in an operation (deploying): the batch workflow destroys it when its deploy ends
      }
    }
    try {
      temporal.newWorkflowStub(BatchWorkflow.class, batch.workflowId()).cancel();
    } catch (RuntimeException e) {
      LOG.warn("could not signal batch {} to cancel: {}", batch.id(), e.toString());
    }
    return get(caller, id);
  }

  private static List<String> members(Handle h, String batchId) {
    return h.createQuery("SELECT id FROM instances WHERE batch_id = :id ORDER BY created_at, name")
        .bind("id", batchId).mapTo(String.class).list();
  }
}
