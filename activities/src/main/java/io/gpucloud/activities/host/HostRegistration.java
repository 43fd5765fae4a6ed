package io.gpucloud.activities.host;

/** What an agent worker tells the control plane about its host when it starts (read from libvirt nodeInfo). */
public record HostRegistration(
    String hostName, String hypervisorUri, int cpuCores, int cpuMhz, long memoryMb, int numaNodes) {}
