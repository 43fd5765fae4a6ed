package io.gpucloud.service.inventory;

/** Reply of POST /api/v1/hosts/{id}/discover (202). */
public record DiscoveryStarted(String workflowId, String hostId, String hostName) {}
