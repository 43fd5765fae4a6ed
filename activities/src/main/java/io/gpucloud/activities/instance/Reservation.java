package io.gpucloud.activities.instance;

/**
 * Where an instance was placed: the host and the {@code spec} (with the reserved devices and the
 * host's name); both null when no host could take it.
 */
public record Reservation(String hostId, InstanceSpec spec) {
  public static Reservation none() {
    return new Reservation(null, null);
  }

  public boolean reserved() {
    return spec != null;
  }
}
