package io.gpucloud.activities.model;

/** Up while its agent worker polls its task queue. */
public enum HostState {
  Up, Down, Disconnected
}
