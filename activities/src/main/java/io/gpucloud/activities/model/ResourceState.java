package io.gpucloud.activities.model;

/**
 * A host's resource state, set by operators. Only Enabled hosts take new instances;
 * PrepareForMaintenance is a host whose maintenance workflow is moving its instances off.
 */
public enum ResourceState {
  Enabled, Disabled, PrepareForMaintenance, Maintenance;

  /** In or on the way to maintenance: enable/disable are refused, cancel-maintenance applies. */
  public boolean maintenance() {
    return this == PrepareForMaintenance || this == Maintenance;
  }
}
