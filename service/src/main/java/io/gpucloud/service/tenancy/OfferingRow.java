package io.gpucloud.service.tenancy;

import java.time.Instant;

/** An offering with its vGPU profile's and card's names (null for an offering without GPU). */
public record OfferingRow(
    String id,
    String name,
    String description,
    int cpuCores,
    int cpuMhz,
    long memoryMb,
    String vgpuProfileId,
    int gpuCount,
    boolean gpuDisplay,
    String numaPolicy,
    Instant createdAt,
    String profileName,
    String cardId,
    String cardName) {}
