package io.gpucloud.service.workflows;

import io.gpucloud.activities.instance.OperationRequest;

/**
 * How the API starts the workflows of operations on instances and hosts, after the request's
 * transaction committed. One implementation talks to Temporal ({@link TemporalWorkflowStarts}); tests
 * record the starts instead.
 */
public interface WorkflowStarts {
  /** Starts the operation's workflow under {@code workflowId}; a repeated start of the same id starts nothing. */
  void operation(OperationRequest request, String workflowId, String accountName, String hostName, String summary);

  /** Starts host maintenance under {@code workflowId}; gpuInstances is "migrate" or "stop". */
  void maintenance(String workflowId, String hostId, String hostName, String gpuInstances);

  /** Asks a running maintenance workflow to stop (cancel-maintenance); nothing when it is not running. */
  void cancelMaintenance(String workflowId);

  /** Wakes a queued deploy (admitted or withdrawn); a hint, nothing when the workflow is not running. */
  void wakeDeploy(String instanceId);
}
