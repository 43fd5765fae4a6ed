package io.gpucloud.workflows;

import io.gpucloud.activities.WorkflowTypes;
import io.gpucloud.activities.instance.OperationRequest;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/** Stops a running instance: shut the domain down (forced after the grace period), state hook onStop, undefine; with gpu.detach.on.stop its devices and GPU quota are given back. */
@WorkflowInterface
public interface StopWorkflow {
  @WorkflowMethod(name = WorkflowTypes.STOP)
  void run(OperationRequest request);
}
