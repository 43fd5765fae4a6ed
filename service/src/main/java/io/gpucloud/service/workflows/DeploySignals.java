package io.gpucloud.service.workflows;

import io.gpucloud.workflows.DeployStarter;
import io.temporal.client.WorkflowClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The AdmissionChanged signal to a queued deploy: a hint (the workflow also looks by itself, see DeployWorkflowImpl). */
public final class DeploySignals {
  private static final Logger LOG = LoggerFactory.getLogger(DeploySignals.class);

  private DeploySignals() {}

  public static void wake(WorkflowClient client, String instanceId) {
    try {
      client.newUntypedWorkflowStub(DeployStarter.workflowId(instanceId)).signal("AdmissionChanged");
    } catch (RuntimeException e) {
      // not running any more (withdrawn, expired), or Temporal away: its safety poll reads the state
      LOG.debug("could not wake the deploy of {}: {}", instanceId, e.toString());
    }
  }
}
