package io.gpucloud.workflows;

import io.gpucloud.activities.WorkflowTypes;
import io.gpucloud.activities.instance.OperationRequest;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/** Changes a stopped instance's offering: CPU, memory, GPU profile and count, limits on the difference. */
@WorkflowInterface
public interface ScaleWorkflow {
  @WorkflowMethod(name = WorkflowTypes.SCALE)
  void run(OperationRequest request);
}
