package io.gpucloud.service.inventory.db;

import io.gpucloud.activities.model.DeviceType;

/** A manually added device, ready to insert (source MANUAL, state Free, Managed). */
public record NewDevice(
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
    String driver) {}
