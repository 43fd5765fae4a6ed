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

  /** How many candidates one plan returns at most; the workflow plans again if all were taken. */
  int PLAN_SIZE = 16;

  /**
   * Hosts that can take the instance now, best first (Up, Enabled, CPU/RAM, enough free devices of
   * its profile), at most PLAN_SIZE, leaving out the hosts already tried.
   */
  @ActivityMethod(name = "PlanHosts")
  List<HostCandidate> planHosts(String instanceId, List<String> excludedHostIds);

  /**
   * In one transaction: counts the instance against its limits (once), and reserves its devices on
   * the host (Free -> Reserved, owner = instance) if the host still has them and the CPU/RAM. A
   * repeat returns the devices already reserved there.
   */
  @ActivityMethod(name = "ReserveOnHost")
  Reservation reserve(String instanceId, String hostId);

  /** Undo of reserve: the instance's devices on that host go back to Free; the host is cleared. */
  @ActivityMethod(name = "ReleaseOnHost")
  void release(String instanceId, String hostId);

  /** Devices Reserved -> Allocated, instance Creating -> Running on that host. */
  @ActivityMethod(name = "CommitDeploy")
  void commit(String instanceId, String hostId);

  /** Final failure: devices freed, limits released, instance Error with the reason. */
  @ActivityMethod(name = "FailInstance")
  void fail(String instanceId, String reason);
}
