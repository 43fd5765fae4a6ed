package io.gpucloud.service.workflows;

import io.gpucloud.activities.SearchAttributeKeys;
import io.gpucloud.activities.instance.OperationRequest;
import io.gpucloud.activities.inventory.InventoryActivities;
import io.gpucloud.workflows.MaintenanceWorkflow;
import io.gpucloud.workflows.OperationStarter;
import io.temporal.api.enums.v1.WorkflowIdReusePolicy;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowExecutionAlreadyStarted;
import io.temporal.client.WorkflowNotFoundException;
import io.temporal.client.WorkflowOptions;
import io.temporal.common.SearchAttributes;

/** {@link WorkflowStarts} on Temporal: OperationStarter for instances, MaintenanceWorkflow for hosts. */
public final class TemporalWorkflowStarts implements WorkflowStarts {
  private final WorkflowClient client;

  public TemporalWorkflowStarts(WorkflowClient client) {
    this.client = client;
  }

  @Override
  public void operation(OperationRequest request, String workflowId, String accountName, String hostName,
      String summary) {
    OperationStarter.start(client, request, workflowId, accountName, hostName, summary);
  }

  @Override
  public void maintenance(String workflowId, String hostId, String hostName, String gpuInstances) {
    WorkflowOptions options = WorkflowOptions.newBuilder()
        .setWorkflowId(workflowId)
        .setTaskQueue(InventoryActivities.CONTROL_PLANE_QUEUE)
        .setWorkflowIdReusePolicy(WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE)
        .setTypedSearchAttributes(SearchAttributes.newBuilder()
            .set(SearchAttributeKeys.HOST_NAME, hostName).build())
        .setStaticSummary("Maintenance of host " + hostName + " (GPU instances: " + gpuInstances + ")")
        .build();
    try {
      WorkflowClient.start(client.newWorkflowStub(MaintenanceWorkflow.class, options)::run, hostId, gpuInstances);
    } catch (WorkflowExecutionAlreadyStarted e) {
      // the same request again
    }
  }

  @Override
  public void cancelMaintenance(String workflowId) {
    try {
      client.newUntypedWorkflowStub(workflowId).cancel();
    } catch (WorkflowNotFoundException e) {
      // already finished
    }
  }

  @Override
  public void wakeDeploy(String instanceId) {
    DeploySignals.wake(client, instanceId);
  }
}
