package io.gpucloud.workflows;

import io.gpucloud.activities.WorkflowTypes;
import io.gpucloud.activities.host.HostRegistration;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * Started by an agent worker when it comes up (by type name, so the agent needs no workflow classes):
 * records the host, then runs a first discovery as a child workflow.
 */
@WorkflowInterface
public interface HostRegistrationWorkflow {
  String TYPE = WorkflowTypes.HOST_REGISTRATION;

  @WorkflowMethod(name = TYPE)
  String register(HostRegistration registration);
}
