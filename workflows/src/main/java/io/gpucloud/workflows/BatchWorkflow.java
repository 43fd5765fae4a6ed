package io.gpucloud.workflows;

import io.gpucloud.activities.WorkflowTypes;
import io.gpucloud.activities.instance.BatchRequest;
import io.temporal.workflow.SignalMethod;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * N deploys as one batch: each member's Deploy runs as a child ({@code deploy-<id>}); a gang whose member
 * fails is taken down whole (the others withdrawn or destroyed), and a cancelled batch destroys the
 * members that were still deploying once they end.
 */
@WorkflowInterface
public interface BatchWorkflow {
  /** @return one line: how many members run, failed, were withdrawn or destroyed */
  @WorkflowMethod(name = WorkflowTypes.BATCH)
  String run(BatchRequest request);

  /** DELETE /instance-batches/{id}: the API withdrew and destroyed what it could; the rest ends here. */
  @SignalMethod(name = "CancelBatch")
  void cancel();

  static String workflowId(String batchId) {
    return "batch-" + batchId;
  }
}
