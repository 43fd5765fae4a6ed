package io.gpucloud.workflows;

import io.gpucloud.activities.instance.HostInstanceActivities;
import io.gpucloud.activities.instance.InstanceActivities;
import io.gpucloud.activities.instance.InstanceSpec;
import io.gpucloud.activities.instance.QueueStatus;
import io.gpucloud.activities.instance.Reservation;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.TemporalFailure;
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
 * pick the step up within the schedule-to-start timeout, and is not believed alive (Temporal was not just
 * unreachable, the agent has not polled lately), is undone and the next host tried; any other
 * failure undoes everything, frees the devices and limits, and leaves the instance in Error with the
 * reason.
 */
public class DeployWorkflowImpl implements DeployWorkflow {
  static final Duration HOST_PICKUP_TIMEOUT = Steps.HOST_PICKUP_TIMEOUT;
  private static final Logger LOG = Workflow.getLogger(DeployWorkflowImpl.class);

  private final Duration hostPickupTimeout;
  /** How long a host believed alive keeps being tried after pickup timeouts (see {@link Steps#onLiveHost}). */
  private final Duration outageDeadline;

  public DeployWorkflowImpl() {
    this(HOST_PICKUP_TIMEOUT);
  }

  DeployWorkflowImpl(Duration hostPickupTimeout) {
    this(hostPickupTimeout, Steps.HOST_OUTAGE_DEADLINE);
  }

  /**
   * A shorter pickup timeout for tests: the Temporal test server does not skip time while an
   * activity waits for a worker, so a dead-host test waits it out in real time.
   */
  DeployWorkflowImpl(Duration hostPickupTimeout, Duration outageDeadline) {
    this.hostPickupTimeout = hostPickupTimeout;
    this.outageDeadline = outageDeadline;
  }

  /** Control-plane steps: local activities (see {@link Steps#controlPlane}). */
  private final InstanceActivities controlPlane = Steps.controlPlane(InstanceActivities.class);

  @Override
  public String deploy(String instanceId) {
    try {
      List<String> unreachable = new ArrayList<>();
      String host;
      // place, run the host steps, commit; a host whose worker is gone is left out of the next placement
      while ((host = tryBestHost(instanceId, unreachable)) == null) {
        if (withdrawn) {
          return null; // withdrawn while queued: it holds nothing, there is nothing to undo
        }
        LOG.warn("{}; trying the next host", lastHostProblem);
      }
      return host;
    } catch (TemporalFailure e) {
      String reason = Steps.reason(e);
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
    Saga saga = Steps.saga(true);
    Reservation r = null;
    try {
      saga.addCompensation(controlPlane::release, instanceId, ANY_HOST);
      r = controlPlane.reserve(instanceId, unreachable);
      if (!r.reserved() && !queued && Workflow.getVersion(QUEUE, Workflow.DEFAULT_VERSION, 1) == 1) {
        queued = true; // once: a host lost after admission is replaced by plain placement, not a second wait
        String admission = waitForAdmission(instanceId);
        if (QueueStatus.GONE.equals(admission)) {
          withdrawn = true;
          return null;
        }
        if (QueueStatus.ADMITTED.equals(admission)) {
          r = controlPlane.reserve(instanceId, unreachable); // the admission's reservation, found as a repeat
        }
      }
      if (!r.reserved()) {
        throw ApplicationFailure.newNonRetryableFailure(
            "insufficient capacity: no host can take the instance now"
                + (lastHostProblem == null ? "" : " (" + lastHostProblem + ")"),
            InstanceActivities.INSUFFICIENT_CAPACITY);
      }
      Steps.upsertHostName(r.spec().hostName());
      runOnHost(r.spec(), saga);
      controlPlane.commit(instanceId, r.hostId());
      return r.spec().hostName();
    } catch (ActivityFailure e) {
      Steps.compensate(saga); // tolerates a host that stays unreachable: the reservation is freed anyway
      if (r == null || !r.reserved() || !Steps.hostUnreachable(e)) {
        throw e;
      }
      unreachable.add(r.hostId());
      lastHostProblem = "host " + r.spec().hostName() + " did not pick up the deploy within "
          + hostPickupTimeout.toSeconds() + " s";
      return null;
    }
  }

  /** The change that let a deploy wait in the queue (Workflow.getVersion): histories before it never wait. */
  static final String QUEUE = "queued-deploys";
  /**
   * How often a waiting deploy looks at the database without being woken: the safety net under the
   * AdmissionChanged signal (a replica that died between admitting and signalling).
   */
  static final Duration QUEUE_SAFETY_POLL = Duration.ofSeconds(60);

  private boolean queued;
  private boolean withdrawn;
  private boolean woken;

  @Override
  public void admissionChanged() {
    woken = true;
  }

  /**
   * No host had room: a request that asked to queue waits (Queued, holding nothing) until an admission
   * pass places it, is withdrawn, or its maxWait passes (then it fails: "no capacity within PT2H").
   * ADMITTED or GONE (withdrawn); NOT_QUEUED at once for a request that did not ask to queue (it then
   * fails with insufficient capacity as before).
   */
  private String waitForAdmission(String instanceId) {
    QueueStatus q = controlPlane.enqueue(instanceId);
    if (q.is(QueueStatus.NOT_QUEUED)) {
      return q.state();
    }
    if (q.is(QueueStatus.WAITING)) {
      Steps.upsertQueueState("Waiting");
    }
    while (q.is(QueueStatus.WAITING)) {
      long left = q.deadlineMillis() - Workflow.currentTimeMillis();
      if (left <= 0) {
        String reason = "no capacity within " + q.maxWait();
        if (controlPlane.expireQueued(instanceId, reason)) {
          Steps.upsertQueueState("Expired");
          throw ApplicationFailure.newNonRetryableFailure(reason, InstanceActivities.INSUFFICIENT_CAPACITY);
        }
      } else {
        Workflow.await(Duration.ofMillis(Math.min(left, QUEUE_SAFETY_POLL.toMillis())), () -> woken);
      }
      // reset before the read, not before the wait: a signal that lands after this read wakes the next wait
      woken = false;
      q = controlPlane.queueStatus(instanceId);
    }
    if (q.is(QueueStatus.FAILED)) {
      Steps.upsertQueueState("Refused");
      throw ApplicationFailure.newNonRetryableFailure("refused at admission (see the instance's error reason)",
          InstanceActivities.LIMIT_EXCEEDED);
    }
    if (q.is(QueueStatus.GONE)) {
      Steps.upsertQueueState("Withdrawn");
      return q.state();
    }
    Steps.upsertQueueState("Admitted");
    return QueueStatus.ADMITTED;
  }

  /** release(instance, ANY_HOST): wherever the instance holds devices (it holds them on one host at most). */
  private static final String ANY_HOST = null;

  private void runOnHost(InstanceSpec spec, Saga saga) {
    // on the host's own queue, with the pickup and heartbeat timeouts (see Steps#onHost)
    HostInstanceActivities host = Steps.onHost(spec.hostName(), hostPickupTimeout);
    saga.addCompensation(host::tearDownDomain, spec);
    // a pickup timeout on a host believed alive (a Temporal outage, pollers backing off) is tried again
    // on the same host, the reservation kept; only a host not believed alive is left for the next one
    Steps.onLiveHost(spec.hostName(), hostPickupTimeout, outageDeadline, () -> host.setUpDomain(spec));
  }
}
