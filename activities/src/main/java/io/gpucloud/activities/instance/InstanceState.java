package io.gpucloud.activities.instance;

/**
 * An instance's state. Stable states are where an operation may begin; each operation moves the
 * instance with one conditional update from a stable state to its transitional state, and its
 * workflow moves it on to a stable state (or back to the one it came from, or to Error).
 */
public enum InstanceState {
  /** A deploy that asked to queue and found no room: it waits for an admission, holding nothing. */
  Queued(false),
  Creating(false),
  Starting(false),
  Stopping(false),
  Rebooting(false),
  Migrating(false),
  Scaling(false),
  Destroying(false),
  Running(true),
  Stopped(true),
  Error(true),
  Destroyed(true);

  private final boolean stable;

  InstanceState(boolean stable) {
    this.stable = stable;
  }

  public boolean stable() {
    return stable;
  }
}
