package io.gpucloud.workflows;

import io.gpucloud.activities.SearchAttributeKeys;
import io.gpucloud.activities.instance.BegunOperation;
import io.gpucloud.activities.instance.InstanceActivities;
import io.gpucloud.activities.instance.InstanceState;
import io.gpucloud.activities.instance.LifecycleActivities;
import io.gpucloud.activities.instance.Operation;
import io.gpucloud.activities.instance.OperationRequest;
import io.temporal.api.enums.v1.ParentClosePolicy;
import io.temporal.api.enums.v1.WorkflowIdReusePolicy;
import io.temporal.common.SearchAttributes;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.ChildWorkflowFailure;
import io.temporal.workflow.Async;
import io.temporal.workflow.ChildWorkflowCancellationType;
import io.temporal.workflow.ChildWorkflowOptions;
import io.temporal.workflow.Promise;
import io.temporal.workflow.Workflow;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;

/**
 * Host maintenance: the host goes PrepareForMaintenance (no placement takes it), then every GPU
 * instance on it, all at once: a Running one is stopped, migrated and started again (each a child
 * workflow begun like an API request: conditional state change, operation counter, Scheduled
 * event); a Stopped one is migrated and stays Stopped. With mode "stop", or when no other host has
 * room, a Running one is only stopped. The host ends in Maintenance when nothing runs on it any more;
 * otherwise it stays PrepareForMaintenance and the workflow fails naming what still runs there.
 */
public class MaintenanceWorkflowImpl implements MaintenanceWorkflow {
  static final String PREPARE = "PrepareForMaintenance";
  static final String MAINTENANCE = "Maintenance";
  static final String EVENT_PREPARE = "HOST.MAINTENANCE.PREPARE";
  static final String EVENT_DONE = "HOST.MAINTENANCE.DONE";
  private static final Logger LOG = Workflow.getLogger(MaintenanceWorkflowImpl.class);

  private final LifecycleActivities lifecycle = Steps.controlPlane(LifecycleActivities.class);

  /** What became of one instance; {@code stillRunsHere}: it keeps the host out of Maintenance. */
  record Outcome(String line, boolean stillRunsHere) {}

  @Override
  public List<String> run(String hostId, String gpuInstances) {
    String workflowId = Workflow.getInfo().getWorkflowId();
    boolean migrate = gpuInstances == null || !gpuInstances.equalsIgnoreCase("stop");
    lifecycle.setHostResourceState(hostId, PREPARE, EVENT_PREPARE, workflowId);
    List<Promise<Outcome>> evacuations = new ArrayList<>();
    for (String instanceId : lifecycle.gpuInstancesOnHost(hostId)) {
      evacuations.add(Async.function(this::evacuate, instanceId, migrate));
    }
    List<String> lines = new ArrayList<>();
    List<String> blocking = new ArrayList<>();
    for (Promise<Outcome> p : evacuations) {
      Outcome o = p.get();
      lines.add(o.line());
      if (o.stillRunsHere()) {
        blocking.add(o.line());
      }
    }
    if (!blocking.isEmpty()) {
      throw ApplicationFailure.newNonRetryableFailure(
          "the host stays PrepareForMaintenance: " + String.join("; ", blocking), "MaintenanceFailed", lines);
    }
    lifecycle.setHostResourceState(hostId, MAINTENANCE, EVENT_DONE, workflowId);
    return lines;
  }

  private Outcome evacuate(String instanceId, boolean migrate) {
    boolean wasRunning = true;
    try {
      child(instanceId, Operation.STOP);
    } catch (ActivityFailure e) {
      if (!InstanceActivities.INVALID_STATE.equals(Steps.failureType(null, e))) {
        return new Outcome(instanceId + ": not stopped: " + Steps.reason(e), true);
      }
      InstanceState now = currentState(e);
      if (now != null && now != InstanceState.Stopped) {
        // another request has it (or it failed meanwhile): what becomes of it is not this workflow's
        // to decide, and while that request runs a domain may run here
        return new Outcome(instanceId + ": left as it is (" + Steps.reason(e) + ")",
            !now.stable() || now == InstanceState.Running);
      }
      wasRunning = false; // Stopped
      if (!migrate) {
        return new Outcome(instanceId + ": left as it is (" + Steps.reason(e) + ")", false);
      }
    } catch (ChildWorkflowFailure f) {
      return new Outcome(instanceId + ": stop failed: " + Steps.reason(f), true);
    }
    if (!migrate) {
      return new Outcome(instanceId + ": stopped", false);
    }
    try {
      child(instanceId, Operation.MIGRATE);
    } catch (ActivityFailure e) {
      // refused: neither Running nor Stopped any more, changed meanwhile by another request, which may
      // run a domain here; any other failure to begin leaves it Stopped
      InstanceState now = currentState(e);
      boolean refused = InstanceActivities.INVALID_STATE.equals(Steps.failureType(null, e));
      return new Outcome(instanceId + ": not migrated (" + Steps.reason(e) + ")",
          refused && (now == null || !now.stable() || now == InstanceState.Running));
    } catch (ChildWorkflowFailure f) {
      return new Outcome(instanceId + (wasRunning ? ": stopped, not migrated: " : ": not migrated, stays Stopped: ")
          + Steps.reason(f), false);
    }
    if (!wasRunning) {
      return new Outcome(instanceId + ": migrated to " + hostOf(instanceId) + ", stays Stopped", false);
    }
    try {
      child(instanceId, Operation.START);
    } catch (ActivityFailure | ChildWorkflowFailure f) {
      return new Outcome(instanceId + ": migrated to " + hostOf(instanceId) + ", stays Stopped: start failed: "
          + Steps.reason(f), false);
    }
    return new Outcome(instanceId + ": migrated to " + hostOf(instanceId) + ", Running", false);
  }

  /**
   * Begins {@code operation} on the instance as the API would (fails with the activity's
   * INVALID_STATE when the instance is not in a state it starts from) and runs its workflow as a
   * child; returns the child's workflow id. The children outlive a terminated maintenance: each
   * must bring its instance to a stable state.
   */
  private String child(String instanceId, Operation operation) {
    // not cancellable once begun: cancelling the maintenance (cancel-maintenance) must not leave an
    // instance in a transitional state with no workflow, nor cancel a child's own undo steps; the
    // maintenance stops after the current child instead
    String[] childId = new String[1];
    Workflow.newDetachedCancellationScope(() -> childId[0] = beginAndRun(instanceId, operation)).run();
    return childId[0];
  }

  private String beginAndRun(String instanceId, Operation operation) {
    String workflowId = Workflow.getInfo().getWorkflowId();
    BegunOperation begun = lifecycle.beginOperation(
        new OperationRequest(instanceId, operation, null, null, false, null, null),
        workflowId + "/" + instanceId + "/" + operation.name());
    SearchAttributes.Builder attributes = SearchAttributes.newBuilder()
        .set(SearchAttributeKeys.INSTANCE_UUID, instanceId);
    if (begun.accountName() != null) {
      attributes.set(SearchAttributeKeys.ACCOUNT, begun.accountName());
    }
    ChildWorkflowOptions options = ChildWorkflowOptions.newBuilder()
        .setWorkflowId(begun.workflowId())
        .setParentClosePolicy(ParentClosePolicy.PARENT_CLOSE_POLICY_ABANDON)
        .setCancellationType(ChildWorkflowCancellationType.ABANDON)
        .setWorkflowIdReusePolicy(WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE)
        .setTypedSearchAttributes(attributes.build())
        .setStaticSummary(operation.name().toLowerCase() + " " + instanceId + " for host maintenance (" + workflowId + ")")
        .build();
    LOG.info("{} of {} as {}", operation, instanceId, begun.workflowId());
    OperationRequest request = begun.request();
    switch (operation) {
      case STOP -> Workflow.newChildWorkflowStub(StopWorkflow.class, options).run(request);
      case MIGRATE -> Workflow.newChildWorkflowStub(MigrateWorkflow.class, options).run(request);
      case START -> Workflow.newChildWorkflowStub(StartWorkflow.class, options).run(request);
      default -> throw new IllegalArgumentException("not a maintenance step: " + operation);
    }
    return begun.workflowId();
  }

  /** The state a refused BeginOperation found the instance in (its failure's details), or null. */
  static InstanceState currentState(ActivityFailure e) {
    if (e.getCause() instanceof ApplicationFailure app) {
      try {
        return app.getDetails().get(InstanceState.class);
      } catch (RuntimeException noDetails) {
        return null;
      }
    }
    return null;
  }

  private String hostOf(String instanceId) {
    String host = lifecycle.describe(instanceId).hostName();
    return host == null ? "no host" : host;
  }
}
