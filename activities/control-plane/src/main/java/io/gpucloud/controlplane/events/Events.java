package io.gpucloud.controlplane.events;

import io.gpucloud.controlplane.metrics.ControlPlaneMetrics;
import java.util.UUID;
import org.jdbi.v3.core.Handle;

/**
 * The audit trail (table events): every request on an instance or host (state Scheduled) and what
 * became of it (Started, Completed, Failed), with CloudStack's event types. Written in the caller's
 * transaction, so an event exists exactly when the change it describes was committed.
 */
public final class Events {
  public static final String SCHEDULED = "Scheduled";
  public static final String STARTED = "Started";
  public static final String COMPLETED = "Completed";
  public static final String FAILED = "Failed";

  private Events() {}

  /** One event; userId, accountId, instanceId, hostId and workflowId may be null. */
  public record Event(String type, String state, String userId, String accountId, String instanceId, String hostId,
      String workflowId, String description) {}

  /**
   * The Started event of the workflow the calling activity runs in, once: a copy of the request's
   * Scheduled event (type, user, account, instance, host) with state Started. Nothing when called
   * outside an activity, when the workflow has no Scheduled event, or when it was written already
   * (a retried or later step).
   */
  public static void startedOnce(Handle h) {
    String workflowId;
    try {
      workflowId = io.temporal.activity.Activity.getExecutionContext().getInfo().getWorkflowId();
    } catch (IllegalStateException notInAnActivity) { // what the SDK throws outside an activity
      return;
    }
    h.createUpdate("INSERT INTO events (id, type, state, user_id, account_id, instance_id, host_id, workflow_id,"
            + " description) SELECT UUID(), e.type, 'Started', e.user_id, e.account_id, e.instance_id, e.host_id,"
            + " e.workflow_id, CONCAT(e.type, ' started') FROM events e WHERE e.workflow_id = :wf"
            + " AND e.state = 'Scheduled' AND NOT EXISTS (SELECT 1 FROM events x WHERE x.workflow_id = :wf"
            + " AND x.state = 'Started') ORDER BY e.created_at LIMIT 1")
        .bind("wf", workflowId).execute();
  }

  /** Writes the event in the handle's transaction; returns its id. */
  public static String record(Handle h, Event e) {
    String id = UUID.randomUUID().toString();
    String description = e.description() == null || e.description().length() <= 4000
        ? e.description() : e.description().substring(0, 4000);
    h.createUpdate("INSERT INTO events (id, type, state, user_id, account_id, instance_id, host_id, workflow_id,"
            + " description) VALUES (:id, :type, :state, :userId, :accountId, :instanceId, :hostId, :workflowId,"
            + " :description)")
        .bind("id", id).bind("type", e.type()).bind("state", e.state()).bind("userId", e.userId())
        .bind("accountId", e.accountId()).bind("instanceId", e.instanceId()).bind("hostId", e.hostId())
        .bind("workflowId", e.workflowId()).bind("description", description)
        .execute();
    ControlPlaneMetrics.eventWritten(h, e.type(), e.state(), e.instanceId(), e.workflowId()); // an operation's end: its duration
    return id;
  }
}
