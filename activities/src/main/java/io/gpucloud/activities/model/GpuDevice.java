package io.gpucloud.activities.model;

import java.time.Instant;

/** One assignable thing on one host (or a VGPU_ONLY parent). See DESIGN.md, Vocabulary. */
public record GpuDevice(
    String id,
    String hostId,
    String busAddress,
    DeviceType type,
    String cardId,
    String profileId,
    String parentDeviceId,
    int numaNode,
    String pciRoot,
    String iommuGroup,
    String driver,
    ManagedState managedState,
    DeviceState state,
    String instanceId,
    String errorReason,
    String source,
    Instant createdAt,
    Instant updatedAt) {

  public boolean held() {
    return instanceId != null;
  }
}
