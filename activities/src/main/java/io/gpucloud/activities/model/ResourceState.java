package io.gpucloud.activities.model;

/** Only Enabled hosts take new instances. */
public enum ResourceState {
  Enabled, Disabled, Maintenance
}
