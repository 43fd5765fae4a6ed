package io.gpucloud.workflows;

import io.gpucloud.activities.WorkflowTypes;
import io.gpucloud.activities.instance.OperationRequest;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/** Starts a stopped instance: with its devices still held, on the same host; with them given back, reserved again through deploy's placement (the previous host preferred). No room: it stays Stopped. */
@WorkflowInterface
public interface StartWorkflow {
  @WorkflowMethod(name = WorkflowTypes.START)
  void run(OperationRequest request);
}
