package io.gpucloud.activities.instance;

/**
 * An operation a workflow began on an instance itself (host maintenance's stop, migrate and start):
 * the workflow id to run it under ({@link Operation#workflowId}), the request to start it with
 * ({@code previousState}: the stable state the instance left), and the instance's account name (the
 * Account search attribute).
 */
public record BegunOperation(String workflowId, OperationRequest request, String accountName) {}
