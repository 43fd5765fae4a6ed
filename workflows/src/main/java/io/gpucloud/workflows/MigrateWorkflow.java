package io.gpucloud.workflows;

import io.gpucloud.activities.WorkflowTypes;
import io.gpucloud.activities.instance.OperationRequest;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/** Cold-migrates a stopped instance: reserve the same devices on the target, move the instance and its devices there, release the source's. */
@WorkflowInterface
public interface MigrateWorkflow {
  @WorkflowMethod(name = WorkflowTypes.MIGRATE)
  void run(OperationRequest request);
}
