package io.gpucloud.controlplane.instance;

import io.gpucloud.activities.instance.QueueStatus;
import java.util.Optional;
import org.jdbi.v3.core.Handle;

/**
 * The queue's steps on one instance, each a piece of the caller's transaction: entering the queue,
 * where it stands, giving up after maxWait, failing it for a limit. Conditional updates on the instance
 * row make every one safe to repeat and exact against a concurrent admission.
 */
public final class QueueSteps {
  private QueueSteps() {}

  private record Row(String state, String hostId, Long deadlineMs, Long maxWaitMs, boolean queueable) {}

  private static Optional<Row> row(Handle h, String instanceId, boolean lock) {
    return h.createQuery("SELECT i.state, i.host_id, q.instance_id IS NOT NULL AS queueable, q.max_wait_ms,"
            + " CAST(FLOOR(UNIX_TIMESTAMP(q.requested_at) * 1000) + q.max_wait_ms AS SIGNED) AS deadline_ms"
            + " FROM instances i LEFT JOIN queue_requests q ON q.instance_id = i.id WHERE i.id = :id"
            + (lock ? " FOR UPDATE" : ""))
        .bind("id", instanceId)
        .map((rs, ctx) -> new Row(rs.getString("state"), rs.getString("host_id"), longOrNull(rs, "deadline_ms"),
            longOrNull(rs, "max_wait_ms"), rs.getBoolean("queueable")))
        .findOne();
  }

  private static Long longOrNull(java.sql.ResultSet rs, String column) throws java.sql.SQLException {
    long v = rs.getLong(column);
    return rs.wasNull() ? null : v;
  }

  /**
   * Creating (on no host) -> Queued for a request that asked to queue, with VM.QUEUED and a wake-up row
   * for the admission passes. NOT_QUEUED for one that did not ask; otherwise where it stands now.
   */
  public static QueueStatus enqueue(Handle h, String instanceId) {
    Row r = row(h, instanceId, true).orElseThrow(() -> Placement.notFound(instanceId));
    if (!r.queueable()) {
      return QueueStatus.of(QueueStatus.NOT_QUEUED);
    }
    if ("Creating".equals(r.state()) && r.hostId() == null) {
      h.createUpdate("UPDATE instances SET state = 'Queued' WHERE id = :id AND state = 'Creating' AND host_id IS NULL")
          .bind("id", instanceId).execute();
      h.createUpdate("UPDATE queue_requests SET queued_at = CURRENT_TIMESTAMP(6) WHERE instance_id = :id")
          .bind("id", instanceId).execute();
      h.createUpdate("INSERT INTO events (id, type, state, user_id, account_id, instance_id, workflow_id, description)"
              + " SELECT UUID(), 'VM.QUEUED', 'Completed', user_id, account_id, id, workflow_id,"
              + " CONCAT(vm_name, ' waits for capacity (priority ', q.priority, ', maxWait ', q.max_wait_ms / 1000, ' s)')"
              + " FROM instances JOIN queue_requests q ON q.instance_id = instances.id WHERE id = :id")
          .bind("id", instanceId).execute();
      h.createUpdate("INSERT INTO admission_wakeups (cause, pool_key) SELECT 'queued', pool_key FROM queue_requests"
          + " WHERE instance_id = :id").bind("id", instanceId).execute();
    }
    return status(h, instanceId);
  }

  /** Where a queued request stands now. */
  public static QueueStatus status(Handle h, String instanceId) {
    Row r = row(h, instanceId, false).orElseThrow(() -> Placement.notFound(instanceId));
    long deadline = r.deadlineMs() == null ? 0 : r.deadlineMs();
    String maxWait = r.maxWaitMs() == null ? null : java.time.Duration.ofMillis(r.maxWaitMs()).toString();
    String state = switch (r.state()) {
      case "Queued" -> QueueStatus.WAITING;
      case "Creating" -> r.hostId() != null ? QueueStatus.ADMITTED : QueueStatus.WAITING;
      case "Error" -> QueueStatus.FAILED;
      default -> QueueStatus.GONE; // Destroyed: withdrawn
    };
    return new QueueStatus(state, deadline, maxWait);
  }

  /**
   * Queued -> Error with the reason (it holds nothing to give back) and VM.CREATE Failed: maxWait passed, or a
   * limit refused it at admission. False when it was no longer Queued.
   */
  public static boolean failQueued(Handle h, String instanceId, String reason) {
    String why = reason.length() > 4000 ? reason.substring(0, 4000) : reason;
    int changed = h.createUpdate("UPDATE instances SET state = 'Error', error_reason = :reason WHERE id = :id"
            + " AND state = 'Queued'")
        .bind("reason", why).bind("id", instanceId).execute();
    if (changed == 1) {
      wakeAdmission(h, "expired"); // a head that gave up frees the hosts kept for it
      new PlacementStatements(h).deployEvent(instanceId, io.gpucloud.controlplane.events.Events.FAILED, " is Error: " + why);
    }
    return changed == 1;
  }

  /**
   * DELETE of a Queued instance: Queued -> Destroyed at once (it holds nothing), with VM.DESTROY Completed.
   * False when it is no longer Queued (admitted meanwhile: destroy it as any other).
   */
  public static boolean withdraw(Handle h, String instanceId, String userId) {
    int changed = h.createUpdate("UPDATE instances SET state = 'Destroyed' WHERE id = :id AND state = 'Queued'")
        .bind("id", instanceId).execute();
    if (changed == 1) {
      wakeAdmission(h, "withdrawn");
      h.createUpdate("INSERT INTO events (id, type, state, user_id, account_id, instance_id, workflow_id, description)"
              + " SELECT UUID(), 'VM.DESTROY', 'Completed', :userId, account_id, id, workflow_id,"
              + " CONCAT(vm_name, ' withdrawn from the queue') FROM instances WHERE id = :id")
          .bind("userId", userId).bind("id", instanceId).execute();
    }
    return changed == 1;
  }

  /** A wake-up row for the admission passes, in the caller's transaction (see V13). */
  static void wakeAdmission(Handle h, String cause) {
    h.createUpdate("INSERT INTO admission_wakeups (cause) VALUES (:cause)").bind("cause", cause).execute();
  }
}
