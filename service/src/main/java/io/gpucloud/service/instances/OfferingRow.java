package io.gpucloud.service.instances;

/** What a deploy copies from its offering onto the instance. */
public record OfferingRow(
    String id, String name, int cpuCores, int cpuMhz, long memoryMb, String vgpuProfileId, int gpuCount,
    boolean gpuDisplay, String numaPolicy) {}
