package io.gpucloud.service.inventory;

import io.gpucloud.service.common.Iso;
import io.gpucloud.service.inventory.db.DeviceRow;

public record DeviceView(
    String id,
    String hostId,
    String hostName,
    String busAddress,
    String type,
    String cardId,
    String cardName,
    String profileId,
    String profileName,
    String parentDeviceId,
    int numaNode,
    String pciRoot,
    String iommuGroup,
    String driver,
    String managedState,
    String state,
    String instanceId,
    String errorReason,
    String source,
    String createdAt,
    String updatedAt) {

  static DeviceView of(DeviceRow d) {
    return new DeviceView(
        d.id(),
        d.hostId(),
        d.hostName(),
        d.busAddress(),
        d.type() == null ? null : d.type().name(),
        d.cardId(),
        d.cardName(),
        d.profileId(),
        d.profileName(),
        d.parentDeviceId(),
        d.numaNode(),
        d.pciRoot(),
        d.iommuGroup(),
        d.driver(),
        d.managedState() == null ? null : d.managedState().name(),
        d.state() == null ? null : d.state().name(),
        d.instanceId(),
        d.errorReason(),
        d.source(),
        Iso.of(d.createdAt()),
        Iso.of(d.updatedAt()));
  }
}
