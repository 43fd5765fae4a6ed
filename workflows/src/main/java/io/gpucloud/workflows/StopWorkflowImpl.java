package io.gpucloud.workflows;

import io.gpucloud.activities.instance.HostInstanceActivities;
import io.gpucloud.activities.instance.InstanceSpec;
import io.gpucloud.activities.instance.InstanceState;
import io.gpucloud.activities.instance.LifecycleActivities;
import io.gpucloud.activities.instance.OperationRequest;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.TemporalFailure;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import org.slf4j.Logger;

/**
 * Stop: on the instance's host shut the domain down (destroyed after the grace period, at once with
 * force), state hook onStop, undefine; then, with gpu.detach.on.stop, remove its mdevs and give its
 * devices back (mdevs first: a device is never Free while an mdev of it still exists). A stop that
 * fails leaves the instance Running when its domain still runs, Error otherwise; a host that does
 * not pick the stop up did nothing, and the instance stays Running.
 */
public class StopWorkflowImpl implements StopWorkflow {
  /** How long the guest gets to shut down before its domain is destroyed. */
  static final int GRACE_SECONDS = 60;
  private static final Logger LOG = Workflow.getLogger(StopWorkflowImpl.class);

  private final Duration hostPickupTimeout;
  private final LifecycleActivities lifecycle = Steps.controlPlane(LifecycleActivities.class);

  public StopWorkflowImpl() {
    this(Steps.HOST_PICKUP_TIMEOUT);
  }

  /** A shorter pickup timeout for tests (see DeployWorkflowImpl). */
  StopWorkflowImpl(Duration hostPickupTimeout) {
    this.hostPickupTimeout = hostPickupTimeout;
  }

  @Override
  public void run(OperationRequest request) {
    String id = request.instanceId();
    InstanceSpec spec = Steps.describe(lifecycle, id);
    Steps.requireHost(lifecycle, request, spec);
    // the step may wait the whole grace period before it destroys the domain
    HostInstanceActivities host = Steps.onHost(spec.hostName(), hostPickupTimeout,
        Steps.HOST_STEP_TIMEOUT.plusSeconds(GRACE_SECONDS));
    try {
      host.stopDomain(spec, request.force(), GRACE_SECONDS);
    } catch (ActivityFailure e) {
      throw Steps.domainStepFailed(lifecycle, request, host, spec, "stop", hostPickupTimeout, e);
    }
    LOG.info("domain {} stopped on {}", spec.vmName(), spec.hostName());
    try {
      if (lifecycle.detachOnStop(id)) {
        host.removeMdevs(spec);
        lifecycle.releaseDevices(id);
      }
    } catch (TemporalFailure e) {
      // the domain is down and undefined: Stopped, holding its devices as without detach
      throw Steps.failed(lifecycle, request, InstanceState.Stopped,
          "stopped, but its devices stay held: " + Steps.reason(e), Steps.failedType(request));
    }
    lifecycle.finish(request, InstanceState.Stopped, Workflow.getInfo().getWorkflowId(), null);
  }
}
