package io.gpucloud.workflows;

import io.gpucloud.activities.instance.BatchRequest;
import io.gpucloud.activities.inventory.InventoryActivities;
import io.temporal.api.enums.v1.WorkflowIdReusePolicy;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowExecutionAlreadyStarted;
import io.temporal.client.WorkflowOptions;
import io.temporal.common.SearchAttributes;

/** Starts Batch workflows with the id {@code batch-<batchId>}: one per batch, ever. */
public final class BatchStarter {
  private BatchStarter() {}

  /** Starts the batch unless it already exists (a repeat after a crash between recording and starting). */
  public static String start(WorkflowClient client, BatchRequest request, String summary) {
    String id = BatchWorkflow.workflowId(request.batchId());
    WorkflowOptions options = WorkflowOptions.newBuilder()
        .setWorkflowId(id)
        .setTaskQueue(InventoryActivities.CONTROL_PLANE_QUEUE)
        .setWorkflowIdReusePolicy(WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE)
        .setTypedSearchAttributes(SearchAttributes.newBuilder().set(Starters.ACCOUNT, request.accountName()).build())
        .setStaticSummary(summary)
        .build();
    try {
      WorkflowClient.start(client.newWorkflowStub(BatchWorkflow.class, options)::run, request);
    } catch (WorkflowExecutionAlreadyStarted e) {
      // started already: nothing new
    }
    return id;
  }
}
