package io.gpucloud.controlplane.instance;

import io.gpucloud.activities.model.DeviceType;

/**
 * A Free, Managed, assignable device of the wanted profile on one host. parentFree is how many
 * devices are still free on the same physical GPU (this one included; 0 when it has no parent):
 * packing prefers the fullest parent so whole GPUs stay free. numaNode is -1 when unknown (no NUMA
 * guarantee, see DevicePicker), pciRoot null when unknown.
 */
public record DeviceCandidate(
    String id,
    String busAddress,
    DeviceType type,
    int numaNode,
    String pciRoot,
    String parentId,
    String parentBusAddress,
    int parentFree) {}
