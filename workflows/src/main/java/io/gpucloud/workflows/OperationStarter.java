package io.gpucloud.workflows;

import io.gpucloud.activities.SearchAttributeKeys;
import io.gpucloud.activities.instance.Operation;
import io.gpucloud.activities.instance.OperationRequest;
import io.gpucloud.activities.inventory.InventoryActivities;
import io.temporal.api.enums.v1.WorkflowIdReusePolicy;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowExecutionAlreadyStarted;
import io.temporal.client.WorkflowOptions;
import io.temporal.common.SearchAttributes;

/**
 * Starts the workflow of an operation on an instance, with the same search attributes and kind of
 * summary as Deploy, under the id the request recorded. A repeated start of the same id starts nothing.
 */
public final class OperationStarter {
  private OperationStarter() {}

  public static WorkflowOptions options(String workflowId, String instanceId, String accountName, String hostName,
      String summary) {
    SearchAttributes.Builder attributes = SearchAttributes.newBuilder()
        .set(SearchAttributeKeys.INSTANCE_UUID, instanceId)
        .set(SearchAttributeKeys.ACCOUNT, accountName);
    if (hostName != null) {
      attributes.set(SearchAttributeKeys.HOST_NAME, hostName);
    }
    return WorkflowOptions.newBuilder()
        .setWorkflowId(workflowId)
        .setTaskQueue(InventoryActivities.CONTROL_PLANE_QUEUE)
        .setWorkflowIdReusePolicy(WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE)
        .setTypedSearchAttributes(attributes.build())
        .setStaticSummary(summary)
        .build();
  }

  /**
   * Starts host maintenance ({@code gpuInstances}: "migrate" or "stop") under {@code workflowId}
   * ({@code maintenance-<host>-<n>}), with the host's name as search attribute; returns the id.
   */
  public static String startMaintenance(WorkflowClient client, String workflowId, String hostId, String hostName,
      String gpuInstances, String summary) {
    SearchAttributes.Builder attributes = SearchAttributes.newBuilder();
    if (hostName != null) {
      attributes.set(SearchAttributeKeys.HOST_NAME, hostName);
    }
    WorkflowOptions options = WorkflowOptions.newBuilder()
        .setWorkflowId(workflowId)
        .setTaskQueue(InventoryActivities.CONTROL_PLANE_QUEUE)
        .setWorkflowIdReusePolicy(WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE)
        .setTypedSearchAttributes(attributes.build())
        .setStaticSummary(summary)
        .build();
    try {
      WorkflowClient.start(client.newWorkflowStub(MaintenanceWorkflow.class, options)::run, hostId, gpuInstances);
    } catch (WorkflowExecutionAlreadyStarted e) {
      // the same request again: already running or done
    }
    return workflowId;
  }

  /** Starts {@code request}'s workflow; returns its id. */
  public static String start(WorkflowClient client, OperationRequest request, String workflowId, String accountName,
      String hostName, String summary) {
    WorkflowOptions options = options(workflowId, request.instanceId(), accountName, hostName, summary);
    if (request.operation() == Operation.DESTROY) {
      // destroy-<id> is one id per instance: a destroy that failed (instance Error) may run again
      options = WorkflowOptions.newBuilder(options)
          .setWorkflowIdReusePolicy(WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE_FAILED_ONLY)
          .build();
    }
    try {
      switch (request.operation()) {
        case STOP -> WorkflowClient.start(client.newWorkflowStub(StopWorkflow.class, options)::run, request);
        case START -> WorkflowClient.start(client.newWorkflowStub(StartWorkflow.class, options)::run, request);
        case REBOOT -> WorkflowClient.start(client.newWorkflowStub(RebootWorkflow.class, options)::run, request);
        case MIGRATE -> WorkflowClient.start(client.newWorkflowStub(MigrateWorkflow.class, options)::run, request);
        case SCALE -> WorkflowClient.start(client.newWorkflowStub(ScaleWorkflow.class, options)::run, request);
        case DESTROY -> WorkflowClient.start(client.newWorkflowStub(DestroyWorkflow.class, options)::run, request);
      }
    } catch (WorkflowExecutionAlreadyStarted e) {
      // the same request again: already running or done
    }
    return workflowId;
  }
}
