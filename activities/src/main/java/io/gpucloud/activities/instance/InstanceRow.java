package io.gpucloud.activities.instance;

/** The instance columns a deploy step needs. */
public record InstanceRow(
    String id,
    String vmName,
    String accountId,
    String projectId,
    String state,
    String hostId,
    String vgpuProfileId,
    int gpuCount,
    int cpuCores,
    int cpuMhz,
    long memoryMb,
    boolean gpuDisplay,
    String numaPolicy,
    boolean quotaCounted,
    String templateId) {}
