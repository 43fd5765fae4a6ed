package io.gpucloud.workflows;

import io.gpucloud.activities.WorkflowTypes;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/** Reads an instance's libvirt domain XML from its host (for operators and tests). */
@WorkflowInterface
public interface DomainXmlWorkflow {
  @WorkflowMethod(name = WorkflowTypes.READ_DOMAIN_XML)
  String read(String hostName, String vmName);
}
