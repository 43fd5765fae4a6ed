package io.gpucloud.service.inventory.db;

import io.gpucloud.activities.model.DeviceState;
import io.gpucloud.activities.model.DeviceType;
import io.gpucloud.activities.model.ManagedState;
import java.time.Instant;

/** A gpu_devices row joined with the names of its host, card and profile. */
public record DeviceRow(
    String id,
    String hostId,
    String hostName,
    String busAddress,
    DeviceType type,
    String cardId,
    String cardName,
    String profileId,
    String profileName,
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

  /** Held by an instance or in a state that an instance's lifecycle owns. */
  public boolean busy() {
    return instanceId != null
        || state == DeviceState.Reserved
        || state == DeviceState.Allocated
        || state == DeviceState.PartiallyAllocated;
  }
}
