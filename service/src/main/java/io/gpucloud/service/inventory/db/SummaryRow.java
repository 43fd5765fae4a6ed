package io.gpucloud.service.inventory.db;

import io.gpucloud.activities.model.DeviceState;
import io.gpucloud.activities.model.ManagedState;

/** One assignable (non VGPU_ONLY) device of a host, as the GPU summary counts it. */
public record SummaryRow(
    String cardId,
    String cardName,
    String profileId,
    String profileName,
    DeviceState state,
    ManagedState managedState,
    String instanceId) {}
