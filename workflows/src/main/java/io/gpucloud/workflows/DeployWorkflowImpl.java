package io.gpucloud.workflows;

import io.gpucloud.activities.instance.HostInstanceActivities;
import io.gpucloud.activities.instance.InstanceActivities;
import io.gpucloud.activities.instance.InstanceSpec;
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
