package io.gpucloud.controlplane.instance;

import io.gpucloud.controlplane.metrics.ControlPlaneMetrics;
import org.jdbi.v3.core.Handle;

/**
 * Placement's outcomes for {@code gpucloud_placement_attempts_total{outcome}}: one per reservation
 * attempt on one host. Kept beside {@link Placement} so that it records each with one short line.
 */
final class PlacementMetrics {
  private PlacementMetrics() {}

  /** The attempt reserved the host: counted when its transaction commits. */
  static void reserved(Handle h) {
    ControlPlaneMetrics.afterCommit(h, () -> ControlPlaneMetrics.placementAttempt(ControlPlaneMetrics.RESERVED));
  }

  /** {@link #reserved} or {@link #noRoom()}. */
  static void reservedOrNoRoom(Handle h, boolean reserved) {
    if (reserved) {
      reserved(h);
    } else {
      noRoom();
    }
  }

  /** The host could not take it, and nothing had said it could (gone, not Up/Enabled, a preferred host). */
  static void noRoom() {
    ControlPlaneMetrics.placementAttempt(ControlPlaneMetrics.NO_ROOM);
  }

  /**
   * The host had no room under its lock for {@code needed} devices of the instance's profile: a conflict
   * when the plan view (which chose it) still counted room for them there, else no room.
   */
  static void noRoom(PlanCache plans, InstanceRow i, long cpu, String hostId, int needed) {
    boolean planSaidRoom = needed > 0 && i.vgpuProfileId() != null
        && plans.cachedFree(i.vgpuProfileId(), cpu, i.memoryMb(), hostId) >= needed;
    ControlPlaneMetrics.placementNoRoom(planSaidRoom);
  }

  /** A device changed between the read and the reservation (the reservation rolls back and is retried). */
  static void conflict() {
    ControlPlaneMetrics.placementAttempt(ControlPlaneMetrics.CONFLICT);
  }
}
