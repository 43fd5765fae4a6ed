package io.gpucloud.controlplane.queue;

/**
 * One queued request as the admission pass sees it. {@code cpuMhzTotal}: cores x MHz; {@code requestedAtMicros}:
 * when the deploy was requested (FIFO order), epoch microseconds; {@code waitReason}: what the last pass said.
 */
public record Waiter(String instanceId, String accountId, String poolKey, String profileId, String profileName,
    int gpuCount, long cpuMhzTotal, long memoryMb, int priority, long requestedAtMicros, String batchId,
    boolean gang, boolean waitForQuota, String waitReason) {}
