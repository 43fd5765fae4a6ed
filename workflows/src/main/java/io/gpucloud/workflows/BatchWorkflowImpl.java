package io.gpucloud.workflows;

import io.gpucloud.activities.instance.BatchRequest;
import io.gpucloud.activities.instance.BegunOperation;
import io.gpucloud.activities.instance.InstanceActivities;
import io.gpucloud.activities.instance.LifecycleActivities;
import io.gpucloud.activities.instance.Operation;
import io.gpucloud.activities.instance.OperationRequest;
import io.gpucloud.activities.inventory.InventoryActivities;
import io.temporal.api.enums.v1.ParentClosePolicy;
import io.temporal.api.enums.v1.WorkflowIdReusePolicy;
import io.temporal.common.SearchAttributes;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ChildWorkflowFailure;
import io.temporal.workflow.Async;
import io.temporal.workflow.ChildWorkflowOptions;
import io.temporal.workflow.Promise;
import io.temporal.workflow.Workflow;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** See {@link BatchWorkflow}. */
public class BatchWorkflowImpl implements BatchWorkflow {
  private final InstanceActivities controlPlane = Steps.controlPlane(InstanceActivities.class);
  private final LifecycleActivities lifecycle = Steps.controlPlane(LifecycleActivities.class);

  private boolean cancelled;
  /** Set once a gang cannot complete: every member that ends Running is destroyed. */
  private boolean tearDown;

  @Override
  public void cancel() {
    cancelled = true;
  }

  @Override
  public String run(BatchRequest request) {
    Map<String, Promise<String>> deploys = new LinkedHashMap<>();
    for (String id : request.instanceIds()) {
      DeployWorkflow child = Workflow.newChildWorkflowStub(DeployWorkflow.class, ChildWorkflowOptions.newBuilder()
          .setWorkflowId(DeployStarter.workflowId(id))
          .setTaskQueue(InventoryActivities.CONTROL_PLANE_QUEUE)
          // the deploys outlive a batch workflow that is terminated: instances are never left half-done
          .setParentClosePolicy(ParentClosePolicy.PARENT_CLOSE_POLICY_ABANDON)
          .setWorkflowIdReusePolicy(WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE)
          .setTypedSearchAttributes(SearchAttributes.newBuilder()
              .set(Starters.INSTANCE_UUID, id).set(Starters.ACCOUNT, request.accountName()).build())
          .build());
      deploys.put(id, Async.function(child::deploy, id));
    }
    Map<String, String> outcome = new HashMap<>(); // id -> host, "withdrawn" or "failed"
    List<String> toDestroy = new ArrayList<>();
    while (outcome.size() < deploys.size()) {
      List<Promise<String>> pending = deploys.entrySet().stream().filter(e -> !outcome.containsKey(e.getKey()))
          .map(Map.Entry::getValue).toList();
      Workflow.await(() -> cancelled && !tearDown || pending.stream().anyMatch(Promise::isCompleted));
      if (cancelled && !tearDown) {
        // the API destroyed the members it found Running; any that ended since are destroyed here (a
        // destroy that finds one destroyed already starts nothing), those still deploying as they end
        startTearDown(request, outcome, toDestroy);
      }
      for (Map.Entry<String, Promise<String>> e : deploys.entrySet()) {
        if (outcome.containsKey(e.getKey()) || !e.getValue().isCompleted()) {
          continue;
        }
        String id = e.getKey();
        try {
          String host = e.getValue().get();
          outcome.put(id, host == null ? "withdrawn" : host);
          if (host != null && tearDown) {
            toDestroy.add(id);
          }
        } catch (ChildWorkflowFailure f) {
          outcome.put(id, "failed");
          if (request.gang() && !tearDown) {
            startTearDown(request, outcome, toDestroy); // a gang never keeps 3 of its 4
          }
        }
      }
    }
    int destroyed = destroy(request, toDestroy);
    long running = outcome.values().stream().filter(v -> !"failed".equals(v) && !"withdrawn".equals(v)).count();
    return request.mode() + " batch of " + deploys.size() + ": " + (running - destroyed) + " running, "
        + outcome.values().stream().filter("failed"::equals).count() + " failed, "
        + outcome.values().stream().filter("withdrawn"::equals).count() + " withdrawn, " + destroyed + " destroyed";
  }

  /** From now on every member that runs is destroyed: those that run already, and the queued withdrawn. */
  private void startTearDown(BatchRequest request, Map<String, String> outcome, List<String> toDestroy) {
    tearDown = true;
    outcome.forEach((id, host) -> {
      if (!"failed".equals(host) && !"withdrawn".equals(host) && !toDestroy.contains(id)) {
        toDestroy.add(id);
      }
    });
    withdrawRest(request);
  }

  /** Withdraws the members still Queued and wakes their deploys, which then end. */
  private void withdrawRest(BatchRequest request) {
    for (String id : controlPlane.withdrawBatch(request.batchId())) {
      Workflow.newExternalWorkflowStub(DeployWorkflow.class, DeployStarter.workflowId(id)).admissionChanged();
    }
  }

  /** Destroys the members (Running after their deploy) as children; returns how many it destroyed. */
  private int destroy(BatchRequest request, List<String> ids) {
    List<Promise<Void>> destroys = new ArrayList<>();
    for (String id : ids) {
      BegunOperation begun;
      try {
        begun = lifecycle.beginOperation(new OperationRequest(id, Operation.DESTROY, null, request.userId(), false,
            null, null), "batch-" + request.batchId() + "-destroy-" + id);
      } catch (ActivityFailure f) {
        continue; // not in a state destroy starts from (destroyed already by the API, in an operation)
      }
      DestroyWorkflow child = Workflow.newChildWorkflowStub(DestroyWorkflow.class, ChildWorkflowOptions.newBuilder()
          .setWorkflowId(begun.workflowId())
          .setTaskQueue(InventoryActivities.CONTROL_PLANE_QUEUE)
          .setParentClosePolicy(ParentClosePolicy.PARENT_CLOSE_POLICY_ABANDON)
          .setTypedSearchAttributes(SearchAttributes.newBuilder()
              .set(Starters.INSTANCE_UUID, id).set(Starters.ACCOUNT, begun.accountName()).build())
          .build());
      destroys.add(Async.procedure(child::run, begun.request()));
    }
    int done = 0;
    for (Promise<Void> p : destroys) {
      try {
        p.get();
        done++;
      } catch (ChildWorkflowFailure f) {
        Workflow.getLogger(BatchWorkflowImpl.class).warn("destroying a batch member failed: {}", f.getMessage());
      }
    }
    return done;
  }
}
