package io.gpucloud.workflows;

import io.gpucloud.activities.host.HostActivities;
import io.gpucloud.activities.host.HostLivenessActivities;
import io.gpucloud.activities.instance.HostInstanceActivities;
import io.gpucloud.activities.instance.InstanceActivities;
import io.gpucloud.activities.instance.InstanceSpec;
import io.gpucloud.activities.instance.InstanceState;
import io.gpucloud.activities.instance.LifecycleActivities;
import io.gpucloud.activities.instance.OperationRequest;
import io.gpucloud.activities.model.DeviceType;
import io.temporal.activity.ActivityOptions;
import io.temporal.activity.LocalActivityOptions;
import io.temporal.api.enums.v1.TimeoutType;
import io.temporal.common.RetryOptions;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.ChildWorkflowFailure;
import io.temporal.failure.TemporalFailure;
import io.temporal.failure.TimeoutFailure;
import io.temporal.workflow.Saga;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * What the instance workflows (Deploy and the lifecycle operations) share: how their steps are run
 * (control-plane steps as local activities, host steps on the host's own queue), how a dead host is
 * recognised, how a saga is undone and what reason a failure gives. Creating a stub records nothing
 * in the workflow's history, so these helpers change no workflow's commands.
 */
final class Steps {
  /** How long a host's worker may take to pick a step up before the host counts as unreachable. */
  static final Duration HOST_PICKUP_TIMEOUT = Duration.ofSeconds(20);
  static final Duration HOST_HEARTBEAT_TIMEOUT = Duration.ofSeconds(10);
  static final Duration HOST_STEP_TIMEOUT = Duration.ofSeconds(120);
  /**
   * How long a step keeps being tried again on a host that did not pick it up but is believed alive
   * ({@link #onLiveHost}): a Temporal outage plus the minute the agents' pollers may back off after it.
   */
  static final Duration HOST_OUTAGE_DEADLINE = Duration.ofMinutes(5);
  /** The change that made a pickup timeout on a live host a retry on the same host (Workflow.getVersion). */
  static final String OUTAGE_IS_NOT_A_DEAD_HOST = "outage-is-not-a-dead-host";

  private Steps() {}

  /**
   * Control-plane steps are short MariaDB transactions in this same worker process: local
   * activities, so each costs no round trip through the Temporal server. They stay idempotent, so
   * a local activity re-run after a worker crash repeats nothing.
   */
  static <T> T controlPlane(Class<T> activities) {
    return Workflow.newLocalActivityStub(activities, LocalActivityOptions.newBuilder()
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
  }

  /** The instance steps on {@code hostName}'s own queue, each allowed {@link #HOST_STEP_TIMEOUT} per attempt. */
  static HostInstanceActivities onHost(String hostName, Duration pickupTimeout) {
    return onHost(hostName, pickupTimeout, HOST_STEP_TIMEOUT);
  }

  static HostInstanceActivities onHost(String hostName, Duration pickupTimeout, Duration stepTimeout) {
    return Workflow.newActivityStub(HostInstanceActivities.class, ActivityOptions.newBuilder()
        .setTaskQueue(HostActivities.taskQueue(hostName))
        .setScheduleToStartTimeout(pickupTimeout)
        // the agent beats while a step runs (not for fast ones): an agent that dies mid-step is
        // noticed after this and the step retried, not only after the start-to-close timeout
        .setHeartbeatTimeout(HOST_HEARTBEAT_TIMEOUT)
        .setStartToCloseTimeout(stepTimeout)
        .setRetryOptions(RetryOptions.newBuilder()
            .setMaximumAttempts(5)
            .setMaximumInterval(Duration.ofSeconds(5))
            .setDoNotRetry(HostInstanceActivities.HOOK_FAILED)
            .build())
        .build());
  }

  /** Compensations run in reverse order; {@code continueWithError}: a failing one does not stop the others. */
  static Saga saga(boolean continueWithError) {
    return new Saga(new Saga.Options.Builder().setParallelCompensation(false)
        .setContinueWithError(continueWithError).build());
  }

  /** Shows the instance's host in the Temporal UI (search attribute HostName); nothing when it has none. */
  static void upsertHostName(String hostName) {
    if (hostName != null) {
      Workflow.upsertTypedSearchAttributes(Starters.HOST_NAME.valueSet(hostName));
    }
  }

  /** The instance's spec ({@link LifecycleActivities#describe}), its host shown in the Temporal UI. */
  /** QueueState (Waiting, Admitted, Expired, Withdrawn) for operators' filters in the Temporal UI. */
  static void upsertQueueState(String state) {
    Workflow.upsertTypedSearchAttributes(Starters.QUEUE_STATE.valueSet(state));
  }

  static InstanceSpec describe(LifecycleActivities lifecycle, String instanceId) {
    InstanceSpec spec = lifecycle.describe(instanceId);
    upsertHostName(spec.hostName());
    return spec;
  }

  /** The host liveness check: a local activity of the control plane, quick and retried once. */
  static HostLivenessActivities liveness() {
    return Workflow.newLocalActivityStub(HostLivenessActivities.class, LocalActivityOptions.newBuilder()
        .setStartToCloseTimeout(Duration.ofSeconds(15))
        .setScheduleToCloseTimeout(Duration.ofSeconds(40))
        .setRetryOptions(RetryOptions.newBuilder().setMaximumAttempts(2).build())
        .build());
  }

  /**
   * Runs a step on {@code hostName}'s queue; when the host does not pick it up within {@code pickupTimeout},
   * asks whether the host is believed alive ({@link HostLivenessActivities}: Temporal was just unreachable, so
   * the agents' pollers may still be backing off, or the agent polled a moment ago) and, if so, runs the step
   * again on the same host, until {@code deadline} after the first try. A host not believed alive, or past
   * the deadline, fails with the pickup timeout, as before: the caller moves on or compensates.
   */
  static <T> T onLiveHost(String hostName, Duration pickupTimeout, Duration deadline, Supplier<T> step) {
    long until = Workflow.currentTimeMillis() + deadline.toMillis();
    while (true) {
      try {
        return step.get();
      } catch (ActivityFailure e) {
        if (!hostUnreachable(e)
            || Workflow.getVersion(OUTAGE_IS_NOT_A_DEAD_HOST, Workflow.DEFAULT_VERSION, 1) == Workflow.DEFAULT_VERSION
            || Workflow.currentTimeMillis() >= until) {
          throw e;
        }
        HostLivenessActivities.Verdict verdict;
        try {
          verdict = liveness().hostLiveness(hostName, (int) Math.max(1, pickupTimeout.toSeconds()));
        } catch (ActivityFailure f) {
          Workflow.getLogger(Steps.class).warn("cannot tell whether host {} is alive: {}", hostName, reason(f));
          throw e;
        }
        if (!verdict.alive()) {
          Workflow.getLogger(Steps.class).warn("host {} did not pick up the step within {} s and is not alive: {}",
              hostName, pickupTimeout.toSeconds(), verdict.why());
          throw e;
        }
        Workflow.getLogger(Steps.class).warn("host {} did not pick up the step within {} s but is believed alive"
            + " ({}); trying it again on the same host", hostName, pickupTimeout.toSeconds(), verdict.why());
      }
    }
  }

  /** {@link #onLiveHost(String, Duration, Duration, Supplier)} for a step without a result. */
  static void onLiveHost(String hostName, Duration pickupTimeout, Duration deadline, Runnable step) {
    onLiveHost(hostName, pickupTimeout, deadline, () -> {
      step.run();
      return null;
    });
  }

  /** A dead host worker: nothing picked the step up in time. */
  static boolean hostUnreachable(TemporalFailure e) {
    return e instanceof ActivityFailure && e.getCause() instanceof TimeoutFailure t
        && t.getTimeoutType() == TimeoutType.TIMEOUT_TYPE_SCHEDULE_TO_START;
  }

  /** "host H1 did not pick up the stop within 20 s". */
  static String unreachable(String hostName, String what, Duration pickupTimeout) {
    return "host " + hostName + " did not pick up the " + what + " within " + pickupTimeout.toSeconds() + " s";
  }

  /**
   * Undo, tolerating a host that stays unreachable: its undo steps time out too, and the control
   * plane's own undo (freeing the reservation) must still happen.
   */
  static void compensate(Saga saga) {
    String failed = tryCompensate(saga);
    if (failed != null) {
      Workflow.getLogger(Steps.class).warn("undo step failed: {}", failed);
    }
  }

  /** Undo; null when every undo step ran, else why one failed. */
  static String tryCompensate(Saga saga) {
    try {
      saga.compensate();
      return null;
    } catch (RuntimeException e) { // Saga.CompensationException, or the failure of an undo step itself
      Throwable t = e instanceof Saga.CompensationException && e.getCause() != null ? e.getCause() : e;
      return t instanceof TemporalFailure f ? reason(f) : String.valueOf(t.getMessage());
    }
  }

  /** The message of what really failed: the activity's or child workflow's own failure. */
  static String reason(TemporalFailure e) {
    Throwable t = e;
    while ((t instanceof ActivityFailure || t instanceof ChildWorkflowFailure) && t.getCause() != null) {
      t = t.getCause();
    }
    if (t instanceof ApplicationFailure app) {
      return app.getOriginalMessage();
    }
    return t.getMessage();
  }

  /**
   * The type a failed operation fails with: a refusal keeps its own (limit exceeded, insufficient
   * capacity, invalid state), anything else is "StopFailed", "StartFailed", ... (null without a request)
   */
  static String failureType(OperationRequest request, TemporalFailure e) {
    Throwable t = e;
    while ((t instanceof ActivityFailure || t instanceof ChildWorkflowFailure) && t.getCause() != null) {
      t = t.getCause();
    }
    if (t instanceof ApplicationFailure app && REFUSALS.contains(app.getType())) {
      return app.getType();
    }
    return request == null ? null : failedType(request);
  }

  private static final java.util.Set<String> REFUSALS = java.util.Set.of(InstanceActivities.LIMIT_EXCEEDED,
      InstanceActivities.INSUFFICIENT_CAPACITY, InstanceActivities.INVALID_STATE);

  /** Whether the domain still runs after a failed step; not known (the host does not answer) counts as no. */
  static boolean stillRunning(HostInstanceActivities host, InstanceSpec spec) {
    try {
      return domainActive(host.domainXml(spec.vmName()));
    } catch (ActivityFailure e) {
      return false;
    }
  }

  /**
   * Ends a failed operation: the instance goes to {@code to} with the reason (event Failed), and
   * the failure to throw, so that the workflow fails with the same reason.
   */
  static ApplicationFailure failed(LifecycleActivities lifecycle, OperationRequest request, InstanceState to,
      String reason, String type) {
    Workflow.getLogger(Steps.class).warn("{} of {} failed, instance {}: {}", request.operation(),
        request.instanceId(), to, reason);
    lifecycle.finish(request, to, Workflow.getInfo().getWorkflowId(), reason);
    return ApplicationFailure.newNonRetryableFailure(reason, type);
  }

  /** Fails the operation (the instance to Error) when the instance is on no host: a domain step needs one. */
  static void requireHost(LifecycleActivities lifecycle, OperationRequest request, InstanceSpec spec) {
    if (spec.hostName() == null) {
      throw failed(lifecycle, request, InstanceState.Error, "the instance is on no host", failedType(request));
    }
  }

  /**
   * Ends an operation whose step on the running domain ({@code what}: "stop", "reboot") failed: a host that did not
   * pick the step up did nothing, and the instance stays Running; otherwise it is Running when its domain still
   * runs, Error when not.
   */
  static ApplicationFailure domainStepFailed(LifecycleActivities lifecycle, OperationRequest request,
      HostInstanceActivities host, InstanceSpec spec, String what, Duration pickupTimeout, ActivityFailure e) {
    if (hostUnreachable(e)) {
      return failed(lifecycle, request, InstanceState.Running, unreachable(spec.hostName(), what, pickupTimeout),
          failedType(request));
    }
    InstanceState to = stillRunning(host, spec) ? InstanceState.Running : InstanceState.Error;
    return failed(lifecycle, request, to, reason(e), failedType(request));
  }

  /** The failure type of a failed operation: "StopFailed", "StartFailed", ... */
  static String failedType(OperationRequest request) {
    String op = request.operation().name();
    return op.charAt(0) + op.substring(1).toLowerCase() + "Failed";
  }

  /** Whether the instance holds vGPUs (mdevs its host created for it). */
  static boolean hasMdevs(InstanceSpec spec) {
    return spec.hostName() != null && spec.devices().stream().anyMatch(d -> d.type() == DeviceType.MDEV);
  }

  /** libvirt writes {@code id='N'} on the {@code <domain>} element of an active domain only. */
  private static final Pattern ACTIVE = Pattern.compile("^\\s*(<\\?[^>]*>\\s*)?<domain\\b[^>]*\\sid=['\"]\\d+['\"]");

  /** Whether a domain's live XML ({@link HostInstanceActivities#domainXml}) is that of a running domain. */
  static boolean domainActive(String liveXml) {
    return liveXml != null && ACTIVE.matcher(liveXml).find();
  }
}
