package io.gpucloud.service.workflows;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * GET /api/v1/workflows/{workflowId}. status is Temporal's status without its prefix: RUNNING,
 * COMPLETED, FAILED, CANCELED, TERMINATED, CONTINUED_AS_NEW, TIMED_OUT. result is set for
 * COMPLETED, failure (the root cause message) for FAILED and the other unsuccessful ends.
 */
public record WorkflowView(
    String workflowId,
    String runId,
    String type,
    String status,
    String taskQueue,
    String startTime,
    String closeTime,
    long historyLength,
    JsonNode result,
    String failure,
    String uiUrl) {}
