package io.gpucloud.activities.model;

/** Unmanaged devices are never allocated. */
public enum ManagedState {
  Managed, Unmanaged
}
