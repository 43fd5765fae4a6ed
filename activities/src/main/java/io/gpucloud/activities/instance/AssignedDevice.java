package io.gpucloud.activities.instance;

import io.gpucloud.activities.model.DeviceType;

/**
 * A device reserved for an instance, as the host needs it: a PCI function (passthrough GPU or SR-IOV
 * VF; busAddress is the full PCI address "dddd:bb:ss.f") or an MDEV (busAddress is the mdev uuid,
 * parentBusAddress the physical GPU, profileName the mdev type's name).
 */
public record AssignedDevice(
    String deviceId, String busAddress, DeviceType type, String profileName, String parentBusAddress, int numaNode) {}
