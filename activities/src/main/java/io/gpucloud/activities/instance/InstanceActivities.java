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

  /**
   * A deploy that found no room: when it asked to queue, Creating -> Queued (holding nothing), event
   * VM.QUEUED, and an admission pass runs at once; {@link QueueStatus#NOT_QUEUED} when it did not ask.
   * A repeat answers where the request stands now (it may have been admitted meanwhile).
   */
  @ActivityMethod(name = "EnqueueDeploy")
  QueueStatus enqueue(String instanceId);

  /** Where a queued deploy stands now (see {@link QueueStatus}). */
  @ActivityMethod(name = "QueueStatus")
  QueueStatus queueStatus(String instanceId);

  /**
   * maxWait passed: Queued -> Error with {@code reason}, event VM.CREATE Failed. False when it is no longer
   * Queued (admitted, or withdrawn, in the meantime): then nothing changes.
   */
  @ActivityMethod(name = "ExpireQueued")
  boolean expireQueued(String instanceId, String reason);

  /**
   * A gang that cannot complete (a member failed) or a cancelled batch: its members still Queued are
   * withdrawn (Destroyed, holding nothing). Returns their ids.
   */
  @ActivityMethod(name = "WithdrawBatch")
  List<String> withdrawBatch(String batchId);
}
