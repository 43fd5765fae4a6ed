package io.gpucloud.service.inventory;

import io.gpucloud.service.common.Iso;
import io.gpucloud.service.inventory.db.HostRow;

public record HostView(
    String id,
    String name,
    String hypervisorUri,
    String state,
    String resourceState,
    int cpuCores,
    int cpuMhz,
    long memoryMb,
    int numaNodes,
    String lastSeenAt,
    String lastDiscoveryAt,
    String createdAt,
    long gpuTotal,
    long gpuUsed) {

  static HostView of(HostRow h) {
    return new HostView(
        h.id(),
        h.name(),
        h.hypervisorUri(),
        h.state() == null ? null : h.state().name(),
        h.resourceState() == null ? null : h.resourceState().name(),
        h.cpuCores(),
        h.cpuMhz(),
        h.memoryMb(),
        h.numaNodes(),
        Iso.of(h.lastSeenAt()),
        Iso.of(h.lastDiscoveryAt()),
        Iso.of(h.createdAt()),
        h.gpuTotal(),
        h.gpuUsed());
  }
}
