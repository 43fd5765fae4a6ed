package io.gpucloud.activities.instance;

/**
 * The outcome of one reservation attempt on one host: {@code spec} (with the reserved devices and
 * the host's name) when it succeeded, null when the host no longer had what the instance needs.
 */
public record Reservation(String hostId, InstanceSpec spec) {
  public boolean reserved() {
    return spec != null;
  }
}
