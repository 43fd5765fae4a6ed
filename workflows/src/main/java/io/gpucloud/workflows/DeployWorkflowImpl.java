package io.gpucloud.workflows;

import io.gpucloud.activities.instance.HostInstanceActivities;
import io.gpucloud.activities.instance.InstanceActivities;
import io.gpucloud.activities.instance.InstanceSpec;
import io.gpucloud.activities.instance.Reservation;
import io.gpucloud.activities.host.HostActivities;
import io.temporal.activity.ActivityOptions;
import io.temporal.activity.LocalActivityOptions;
import io.temporal.api.enums.v1.TimeoutType;
import io.temporal.common.RetryOptions;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.TemporalFailure;
import io.temporal.failure.TimeoutFailure;
import io.temporal.workflow.Saga;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;

/**
 * The deploy saga: reserve on the best host that still has room (limits counted in the same
 * transaction), then on that host's own queue set the domain up (prepare devices, define, start: one
 * activity); commit. Every step registers its undo before it runs. A host whose worker does not
 * pick the step up within the schedule-to-start timeout is undone and the next host tried; any other
 * failure undoes everything, frees the devices and limits, and leaves the instance in Error with the
 * reason.
 */
public class DeployWorkflowImpl implements DeployWorkflow {
  static final Duration HOST_PICKUP_TIMEOUT = Duration.ofSeconds(20);
  static final Duration HOST_HEARTBEAT_TIMEOUT = Duration.ofSeconds(10);
  private static final Logger LOG = Workflow.getLogger(DeployWorkflowImpl.class);

  private final Duration hostPickupTimeout;

  public DeployWorkflowImpl() {
    this(HOST_PICKUP_TIMEOUT);
  }

  /**
   * A shorter pickup timeout for tests: the Temporal test server does not skip time while an
   * activity waits for a worker, so a dead-host test waits it out in real time.
   */
  DeployWorkflowImpl(Duration hostPickupTimeout) {
    this.hostPickupTimeout = hostPickupTimeout;
  }

  /**
   * Control-plane steps are short MariaDB transactions in this same worker process: local
   * activities, so each costs no round trip through the Temporal server. They stay idempotent, so
   * a local activity re-run after a worker crash repeats nothing.
   */
  private final InstanceActivities controlPlane = Workflow.newLocalActivityStub(InstanceActivities.class,
      LocalActivityOptions.newBuilder()
          .setStartToCloseTimeout(Duration.ofSeconds(30))
          // a local activity with neither a schedule-to-close timeout nor a maximum of attempts is
          // not retried at all: both are set so InnoDB deadlocks and DB restarts are retried
          .setScheduleToCloseTimeout(Duration.ofMinutes(10))
          .setRetryOptions(RetryOptions.newBuilder()
              .setInitialInterval(Duration.ofMillis(50))
              .setMaximumInterval(Duration.ofSeconds(5))
              .setMaximumAttempts(100)
              .setDoNotRetry(InstanceActivities.LIMIT_EXCEEDED, InstanceActivities.INVALID_STATE,
                  InstanceActivities.INSUFFICIENT_CAPACITY)
              .build())
          .build());

  @Override
  public String deploy(String instanceId) {
    try {
      List<String> unreachable = new ArrayList<>();
      String host;
      // place, run the host steps, commit; a host whose worker is gone is left out of the next placement
      while ((host = tryBestHost(instanceId, unreachable)) == null) {
        LOG.warn("{}; trying the next host", lastHostProblem);
      }
      return host;
    } catch (TemporalFailure e) {
      String reason = reason(e);
      controlPlane.fail(instanceId, reason);
      throw ApplicationFailure.newNonRetryableFailure(reason, "DeployFailed");
    }
  }

  /** Why the last unreachable host was skipped, for the final error. */
  private String lastHostProblem;

  /**
   * Reserve on the best host that still has room, run the host steps, commit: the host's name.
   * Null when that host's worker did not pick the work up (the host is added to {@code unreachable},
   * its reservation undone). No host at all fails with insufficient capacity; any other failure is
   * undone and thrown.
   */
  private String tryBestHost(String instanceId, List<String> unreachable) {
    Saga saga = new Saga(new Saga.Options.Builder().setParallelCompensation(false).setContinueWithError(true).build());
    Reservation r = null;
    try {
      saga.addCompensation(controlPlane::release, instanceId, ANY_HOST);
      r = controlPlane.reserve(instanceId, unreachable);
      if (!r.reserved()) {
        throw ApplicationFailure.newNonRetryableFailure(
            "insufficient capacity: no host can take the instance now"
                + (lastHostProblem == null ? "" : " (" + lastHostProblem + ")"),
            InstanceActivities.INSUFFICIENT_CAPACITY);
      }
      Workflow.upsertTypedSearchAttributes(Starters.HOST_NAME.valueSet(r.spec().hostName()));
      runOnHost(r.spec(), saga);
      controlPlane.commit(instanceId, r.hostId());
      return r.spec().hostName();
    } catch (ActivityFailure e) {
      compensate(saga);
      if (r == null || !r.reserved() || !hostUnreachable(e)) {
        throw e;
      }
      unreachable.add(r.hostId());
      lastHostProblem = "host " + r.spec().hostName() + " did not pick up the deploy within "
          + hostPickupTimeout.toSeconds() + " s";
      return null;
    }
  }

  /** release(instance, ANY_HOST): wherever the instance holds devices (it holds them on one host at most). */
  private static final String ANY_HOST = null;

  private void runOnHost(InstanceSpec spec, Saga saga) {
    HostInstanceActivities host = Workflow.newActivityStub(HostInstanceActivities.class,
        ActivityOptions.newBuilder()
            .setTaskQueue(HostActivities.taskQueue(spec.hostName()))
            .setScheduleToStartTimeout(hostPickupTimeout)
            // the agent beats while a step runs (not for fast ones): an agent that dies mid-step is
            // noticed after this and the step retried, not only after the start-to-close timeout
            .setHeartbeatTimeout(HOST_HEARTBEAT_TIMEOUT)
            .setStartToCloseTimeout(Duration.ofSeconds(120))
            .setRetryOptions(RetryOptions.newBuilder()
                .setMaximumAttempts(5)
                .setMaximumInterval(Duration.ofSeconds(5))
                .setDoNotRetry(HostInstanceActivities.HOOK_FAILED)
                .build())
            .build());
    saga.addCompensation(host::tearDownDomain, spec);
    host.setUpDomain(spec);
  }

  /** A dead host worker: nothing picked the step up in time. */
  static boolean hostUnreachable(ActivityFailure e) {
    return e.getCause() instanceof TimeoutFailure t
        && t.getTimeoutType() == TimeoutType.TIMEOUT_TYPE_SCHEDULE_TO_START;
  }

  /**
   * Undo, tolerating a host that stays unreachable: its undo steps time out too, and the control
   * plane's own undo (freeing the reservation) must still happen.
   */
  private static void compensate(Saga saga) {
    try {
      saga.compensate();
    } catch (RuntimeException e) { // Saga.CompensationException, or the failure of an undo step itself
      LOG.warn("undo step failed: {}", e.getMessage());
    }
  }

  static String reason(TemporalFailure e) {
    Throwable t = e;
    while (t instanceof ActivityFailure && t.getCause() != null) {
      t = t.getCause();
    }
    if (t instanceof ApplicationFailure app) {
      return app.getOriginalMessage();
    }
    return t.getMessage();
  }
}
