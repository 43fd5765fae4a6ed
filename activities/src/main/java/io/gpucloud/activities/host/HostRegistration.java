package io.gpucloud.activities.host;

/**
 * What an agent worker tells the control plane about its host when it starts: CPU, memory and NUMA
 * from libvirt's nodeInfo, and where its instances' root disks live (the libvirt pool's name, and
 * whether other hosts mount the same pool, as NFS primary storage: then a disk is reachable from them).
 */
public record HostRegistration(
    String hostName, String hypervisorUri, int cpuCores, int cpuMhz, long memoryMb, int numaNodes,
    String storagePool, boolean storageShared) {}
