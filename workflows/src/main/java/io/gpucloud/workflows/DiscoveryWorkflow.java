package io.gpucloud.workflows;

import io.gpucloud.activities.inventory.ReconcileResult;
import io.gpucloud.activities.WorkflowTypes;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/** Runs the host's discovery hook on its agent worker and reconciles the inventory with the result. */
@WorkflowInterface
public interface DiscoveryWorkflow {
  @WorkflowMethod(name = WorkflowTypes.DISCOVERY)
  ReconcileResult discover(String hostName);
}
