package io.gpucloud.workflows;

import io.gpucloud.activities.WorkflowTypes;
import io.temporal.workflow.SignalMethod;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/** Deploys one instance (already recorded as Creating) onto the first host that can take it. */
@WorkflowInterface
public interface DeployWorkflow {
  String TYPE = WorkflowTypes.DEPLOY;

  /** @return the name of the host the instance runs on */
  @WorkflowMethod(name = TYPE)
  String deploy(String instanceId);

  /**
   * A queued deploy's wake-up: an admission pass placed it, or it was withdrawn. Only a hint: the
   * workflow reads where it stands from the database (a lost signal costs at most one safety-poll period).
   */
  @SignalMethod(name = "AdmissionChanged")
  void admissionChanged();
}
