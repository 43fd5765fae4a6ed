package io.gpucloud.controlplane.instance;

import io.gpucloud.activities.instance.InstanceState;
import io.gpucloud.activities.instance.Operation;
import io.gpucloud.activities.instance.OperationRequest;
import io.gpucloud.controlplane.events.Events;
import java.util.Optional;
import org.jdbi.v3.core.Handle;

/**
 * The beginning of an operation on an instance, as one piece of the caller's transaction (READ
 * COMMITTED): the instance row locked, its state checked against the operation's stable states, the
 * move to the transitional state, the operation counter incremented, and the Scheduled event. Of two
 * concurrent requests on one instance exactly one begins; the other finds the transitional state.
 */
public final class Operations {
  private Operations() {}

  /**
   * What became of a request: begun ({@link #request} and {@link #workflowId} to start the workflow
   * with), or refused because the instance is in {@link #state} (then request and workflowId are null).
   */
  public record Begun(OperationRequest request, String workflowId, String state, String accountId, String hostId) {
    public boolean begun() {
      return request != null;
    }
  }

  /** Empty when the instance does not exist. */
  public static Optional<Begun> begin(Handle h, String instanceId, Operation op, String userId, boolean force,
      String targetHostId, String offeringId) {
    return begin(h, instanceId, op, userId, force, targetHostId, offeringId, null);
  }

  /**
   * As {@link #begin(Handle, String, Operation, String, boolean, String, String)}, with the Scheduled
   * event's description (null: "VM.STOP requested from Running" and the like). The instance's
   * workflow_id becomes the operation's, so its view links the latest operation.
   */
  public static Optional<Begun> begin(Handle h, String instanceId, Operation op, String userId, boolean force,
      String targetHostId, String offeringId, String description) {
    record Row(String state, String accountId, String hostId, int opSeq) {}
    Optional<Row> row = h.createQuery("SELECT state, account_id, host_id, op_seq FROM instances WHERE id = :id FOR UPDATE")
        .bind("id", instanceId)
        .map((rs, ctx) -> new Row(rs.getString(1), rs.getString(2), rs.getString(3), rs.getInt(4)))
        .findOne();
    if (row.isEmpty()) {
      return Optional.empty();
    }
    Row r = row.get();
    InstanceState from;
    try {
      from = InstanceState.valueOf(r.state());
    } catch (IllegalArgumentException unknown) {
      return Optional.of(new Begun(null, null, r.state(), r.accountId(), r.hostId()));
    }
    if (!op.from().contains(from)) {
      return Optional.of(new Begun(null, null, r.state(), r.accountId(), r.hostId()));
    }
    String workflowId = op.workflowId(instanceId, r.opSeq() + 1);
    h.createUpdate("UPDATE instances SET state = :to, op_seq = op_seq + 1, workflow_id = :workflowId"
            + " WHERE id = :id AND state = :from")
        .bind("to", op.transitional().name()).bind("workflowId", workflowId).bind("id", instanceId)
        .bind("from", r.state()).execute();
    Events.record(h, new Events.Event(op.eventType(), Events.SCHEDULED, userId, r.accountId(), instanceId, r.hostId(),
        workflowId, description != null ? description : op.eventType() + " requested from " + r.state()));
    return Optional.of(new Begun(new OperationRequest(instanceId, op, from, userId, force, targetHostId, offeringId),
        workflowId, op.transitional().name(), r.accountId(), r.hostId()));
  }
}
