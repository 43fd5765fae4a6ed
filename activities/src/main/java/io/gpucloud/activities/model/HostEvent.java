package io.gpucloud.activities.model;

import java.time.Instant;

public record HostEvent(
    long id, String hostId, String level, String type, String message, String workflowId, Instant createdAt) {}
