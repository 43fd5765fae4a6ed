package io.gpucloud.activities.instance;

/**
 * What an operation's workflow is started with. The API has already moved the instance from
 * {@code previousState} to the operation's transitional state and written the request's event
 * (state Scheduled); the workflow ends the operation in a stable state. {@code force}: stop without
 * waiting for the guest; {@code targetHostId}: migrate to that host (null: the best other host);
 * {@code offeringId}: scale to that offering.
 */
public record OperationRequest(
    String instanceId,
    Operation operation,
    InstanceState previousState,
    String userId,
    boolean force,
    String targetHostId,
    String offeringId) {}
