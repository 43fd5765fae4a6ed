package io.gpucloud.service.inventory;

/**
 * A host's resource state as the service reads it: the contract's ResourceState plus
 * PrepareForMaintenance, which the lifecycle (V8) added. Only Enabled hosts take new instances.
 */
public enum HostResourceState {
  Enabled, Disabled, PrepareForMaintenance, Maintenance;

  /** In or on the way to maintenance: enable/disable are refused, cancel-maintenance applies. */
  public boolean maintenance() {
    return this == PrepareForMaintenance || this == Maintenance;
  }
}
