package io.gpucloud.service.instances;

import io.gpucloud.service.common.Checks;

/**
 * The bodies of the operations on an instance, read strictly (an unknown field is a 400 naming it).
 * Each is optional where the operation has no required field: no body is the same as {}.
 */
public final class OperationBodies {
  private OperationBodies() {}

  /** POST /instances/{id}/stop: {"force": true} destroys the domain at once instead of waiting for the guest. */
  public record Stop(Boolean force) {
    boolean forced() {
      return Boolean.TRUE.equals(force);
    }
  }

  /** POST /instances/{id}/scale: the offering to change to. */
  public record Scale(String offeringId) {
    String validOfferingId() {
      return Checks.requiredId("offeringId", offeringId);
    }
  }

  /** POST /instances/{id}/migrate: the target host; null lets the placement choose the best other host. */
  public record Migrate(String hostId) {
    String validHostId() {
      return Checks.optionalId("hostId", hostId);
    }
  }
}
