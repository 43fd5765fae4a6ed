package io.gpucloud.activities.instance;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;
import java.util.List;

/**
 * Control-plane instance steps (task queue control-plane), each one MariaDB transaction, each safe
 * to repeat. State changes are conditional updates, so a retried or late call changes nothing twice.
 */
@ActivityInterface
public interface InstanceActivities {
  /** ApplicationFailure type: a limit would be exceeded (not retried). */
  String LIMIT_EXCEEDED = "LimitExceeded";
  /** ApplicationFailure type: no host can take the instance (not retried). */
  String INSUFFICIENT_CAPACITY = "InsufficientCapacity";
  /** ApplicationFailure type: the instance is not in a state this step can act on (not retried). */
  String INVALID_STATE = "InvalidState";

  /** How many candidates one plan returns at most; a reservation plans again if all were taken. */
  int PLAN_SIZE = 16;

  /**
   * Places the instance: plans the hosts that can take it now, best fit first (Up, Enabled,
   * CPU/RAM, enough free devices of its profile), leaving out {@code excludedHostIds}, and reserves
   * on the first that still has room, planning again when all were taken since. Each attempt is one
   * transaction: counts the instance against its limits (once), and reserves its devices on the
   * host (Free -> Reserved, owner = instance). Returns {@link Reservation#none()} when no host can
   * take it. A repeat returns the reservation already made on a host that is not excluded.
   */
  @ActivityMethod(name = "ReserveOnBestHost")
  Reservation reserve(String instanceId, List<String> excludedHostIds);

  /**
   * Undo of reserve: the instance's devices on that host ({@code hostId} null: on any host) go back
   * to Free and the instance is on no host.
   */
  @ActivityMethod(name = "ReleaseReservation")
  void release(String instanceId, String hostId);

  /** Devices Reserved -> Allocated, instance Creating -> Running on that host. */
  @ActivityMethod(name = "CommitDeploy")
  void commit(String instanceId, String hostId);

  /** Final failure: devices freed, limits released, instance Error with the reason. */
  @ActivityMethod(name = "FailInstance")
  void fail(String instanceId, String reason);
}
