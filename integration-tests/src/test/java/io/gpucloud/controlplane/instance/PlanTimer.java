package io.gpucloud.controlplane.instance;

import io.gpucloud.activities.instance.Reservation;
import io.gpucloud.controlplane.instance.Placement.Purpose;
import java.util.ArrayList;
import java.util.List;

/**
 * For ReservationBench (test code in the placement's package, for its package-private steps): a
 * deploy's reservation as {@link InstanceActivitiesImpl#reserve} makes it (a placement turn, then
 * {@link Placement#place}'s loop: the instance's own host first, then plan, try each candidate, plan
 * again), with the time spent choosing hosts ({@link Placement#plan}: the plan view and its best-fit
 * pick, reloads from MariaDB included) measured apart. Keep it in step with Placement.place.
 */
public final class PlanTimer {
  private PlanTimer() {}

  /** What one reservation took: whether it reserved, and the nanoseconds spent in plan() calls. */
  public record Timed(boolean reserved, long planNanos, int plans) {}

  public static Timed reserve(InstanceActivitiesImpl activities, String instanceId) {
    Placement placement = activities.placement();
    return placement.inTurn(() -> {
      List<String> tried = new ArrayList<>();
      InstanceRow i = placement.jdbi().withHandle(h -> new PlacementStatements(h).instance(instanceId))
          .orElseThrow(() -> Placement.notFound(instanceId));
      if (i.hostId() != null) {
        tried.add(i.hostId());
        if (placement.attempt(Purpose.DEPLOY, instanceId, i.hostId()).reserved()) {
          return new Timed(true, 0, 0);
        }
      }
      long planNanos = 0;
      int plans = 0;
      while (true) {
        long t0 = System.nanoTime();
        List<HostCandidate> hosts = placement.plan(i, tried);
        planNanos += System.nanoTime() - t0;
        plans++;
        if (hosts.isEmpty()) {
          return new Timed(false, planNanos, plans);
        }
        for (HostCandidate host : hosts) {
          tried.add(host.hostId());
          Reservation r = placement.attempt(Purpose.DEPLOY, instanceId, host.hostId());
          if (r.reserved()) {
            return new Timed(true, planNanos, plans);
          }
        }
      }
    });
  }
}
