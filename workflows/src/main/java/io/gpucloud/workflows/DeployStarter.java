package io.gpucloud.workflows;

import io.gpucloud.activities.inventory.InventoryActivities;
import io.temporal.api.enums.v1.WorkflowIdReusePolicy;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowExecutionAlreadyStarted;
import io.temporal.client.WorkflowOptions;
import io.temporal.common.SearchAttributes;

/** Starts Deploy workflows with the id {@code deploy-<instanceUuid>}: one per instance, ever. */
public final class DeployStarter {
  private DeployStarter() {}

  public static String workflowId(String instanceId) {
    return "deploy-" + instanceId;
  }

  /**
   * Starts the deploy unless it already exists (a repeated request after a crash between recording
   * the instance and starting the workflow). Returns the workflow id.
   */
  public static String start(WorkflowClient client, String instanceId, String instanceName, String accountName,
      String summary) {
    String id = workflowId(instanceId);
    WorkflowOptions options = WorkflowOptions.newBuilder()
        .setWorkflowId(id)
        .setTaskQueue(InventoryActivities.CONTROL_PLANE_QUEUE)
        .setWorkflowIdReusePolicy(WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE)
        .setTypedSearchAttributes(SearchAttributes.newBuilder()
            .set(Starters.INSTANCE_UUID, instanceId)
            .set(Starters.ACCOUNT, accountName)
            .build())
        .setStaticSummary(summary)
        // the service that starts the deploy also runs its worker: the server hands the first
        // workflow task back in the start response instead of through a task-queue poll
        .setDisableEagerExecution(false)
        .build();
    DeployWorkflow wf = client.newWorkflowStub(DeployWorkflow.class, options);
    try {
      WorkflowClient.start(wf::deploy, instanceId);
    } catch (WorkflowExecutionAlreadyStarted e) {
      // already running or done: the same request again starts nothing new
    }
    return id;
  }
}
