package io.gpucloud.workflows;

import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/** Reads an instance's libvirt domain XML from its host (for operators and tests). */
@WorkflowInterface
public interface DomainXmlWorkflow {
  @WorkflowMethod(name = "ReadDomainXml")
  String read(String hostName, String vmName);
}
