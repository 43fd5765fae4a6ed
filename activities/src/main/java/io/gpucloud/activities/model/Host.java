package io.gpucloud.activities.model;

import java.time.Instant;

public record Host(
    String id,
    String name,
    String hypervisorUri,
    int cpuCores,
    int cpuMhz,
    long memoryMb,
    int numaNodes,
    HostState state,
    ResourceState resourceState,
    Instant lastSeenAt,
    Instant lastDiscoveryAt,
    Instant createdAt) {}
