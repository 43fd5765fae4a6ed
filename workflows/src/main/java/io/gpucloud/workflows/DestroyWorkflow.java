package io.gpucloud.workflows;

import io.gpucloud.activities.WorkflowTypes;
import io.gpucloud.activities.instance.OperationRequest;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/** Destroys an instance from any stable state: domain stopped and undefined, mdevs and root disk removed, every device and quota unit given back; the instance ends Destroyed. */
@WorkflowInterface
public interface DestroyWorkflow {
  @WorkflowMethod(name = WorkflowTypes.DESTROY)
  void run(OperationRequest request);
}
