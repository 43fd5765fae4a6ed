package io.gpucloud.workflows;

import io.gpucloud.activities.WorkflowTypes;
import io.gpucloud.activities.instance.OperationRequest;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/** Reboots a running instance on its host, with both state hooks. */
@WorkflowInterface
public interface RebootWorkflow {
  @WorkflowMethod(name = WorkflowTypes.REBOOT)
  void run(OperationRequest request);
}
