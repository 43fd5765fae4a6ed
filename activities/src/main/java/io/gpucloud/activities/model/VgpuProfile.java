package io.gpucloud.activities.model;

import java.time.Instant;

/** A way to use a card: "passthrough" (whole device) or a vGPU type such as sim-8q. */
public record VgpuProfile(
    String id,
    String cardId,
    String name,
    String description,
    long videoRamMb,
    int maxHeads,
    int maxResolutionX,
    int maxResolutionY,
    int maxVgpusPerGpu,
    Instant createdAt) {

  public static final String PASSTHROUGH = "passthrough";
}
