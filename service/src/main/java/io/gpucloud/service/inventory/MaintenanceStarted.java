package io.gpucloud.service.inventory;

/** The 202 of POST /hosts/{id}/maintenance: the Maintenance workflow and the host's state now. */
public record MaintenanceStarted(String workflowId, String hostId, String hostName, String resourceState,
    String gpuInstances) {}
