package io.gpucloud.activities.model;

import java.time.Instant;

/** A model of physical GPU, keyed by its PCI vendor and device ids (4 lower-case hex digits each). */
public record GpuCard(
    String id, String vendorId, String deviceId, String vendorName, String deviceName, String name,
    Instant createdAt) {}
