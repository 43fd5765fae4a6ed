package io.gpucloud.controlplane.instance;

import io.gpucloud.activities.instance.Reservation;
import io.gpucloud.controlplane.instance.Placement.Purpose;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jdbi.v3.core.transaction.TransactionIsolationLevel;

/**
 * The admission pass's way into the one reservation path: a queued request (or a whole gang) is placed
 * by {@link Placement}'s own attempt, with the same locks, limit counting and device checks as a deploy,
 * and moves Queued -> Creating in that transaction.
 */
public final class Admitter {
  private final Placement placement;

  Admitter(Placement placement) {
    this.placement = placement;
  }

  /**
   * One queued request on one host, in one transaction: reserved, or not (the host has no room after all).
   * Throws the placement's ApplicationFailure for a limit exceeded (type LimitExceeded) or an instance
   * no longer Queued (InvalidState).
   */
  public boolean admit(String instanceId, String hostId) {
    return placement.inTurn(() -> placement.attempt(Purpose.ADMIT, instanceId, hostId)).reserved();
  }

  /**
   * Every member of a gang on its host, all in one transaction: all are reserved, or none is (the
   * transaction rolls back when one member's host has no room after all).
   */
  public boolean admitGang(Map<String, String> hostByInstance) {
    return placement.inTurn(() -> {
      List<Runnable> learnt = new ArrayList<>();
      try {
        boolean placed = placement.jdbi().inTransaction(TransactionIsolationLevel.READ_COMMITTED, h -> {
          // instances in id order: two passes never lock one gang's rows in opposite orders
          for (Map.Entry<String, String> e : new java.util.TreeMap<>(hostByInstance).entrySet()) {
            Reservation r = placement.attempt(h, Purpose.ADMIT, e.getKey(), e.getValue(), learnt);
            if (!r.reserved()) {
              throw new GangDoesNotFit();
            }
          }
          return true;
        });
        learnt.forEach(Runnable::run); // what the plan view learnt, once committed
        return placed;
      } catch (GangDoesNotFit rolledBack) {
        return false;
      }
    });
  }

  /** Rolls the gang's transaction back: one member did not fit. */
  private static final class GangDoesNotFit extends RuntimeException {
    GangDoesNotFit() {
      super(null, null, false, false);
    }
  }
}
