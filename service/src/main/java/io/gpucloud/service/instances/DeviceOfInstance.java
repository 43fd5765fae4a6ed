package io.gpucloud.service.instances;

public record DeviceOfInstance(
    String id, String instanceId, String type, String cardName, String profileName, String busAddress, int numaNode,
    String state) {}
