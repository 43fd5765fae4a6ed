package io.gpucloud.service.inventory.db;

import io.gpucloud.activities.model.ResourceState;
import io.gpucloud.activities.model.HostState;
import java.time.Instant;

/** A host with its GPU counts (gpuTotal: devices except VGPU_ONLY parents; gpuUsed: of those Reserved or Allocated). */
public record HostRow(
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
    Instant createdAt,
    long gpuTotal,
    long gpuUsed) {}
