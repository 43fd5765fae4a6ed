package io.gpucloud.activities.instance;

import io.gpucloud.activities.model.DeviceType;

/** A device row joined with its profile name and parent, as reservation reads it. */
public record HeldDevice(
    String id,
    String busAddress,
    DeviceType type,
    int numaNode,
    String pciRoot,
    String parentDeviceId,
    String parentBusAddress,
    String profileName,
    String state) {}
