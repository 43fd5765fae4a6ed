package io.gpucloud.workflows;

import io.gpucloud.activities.instance.HostInstanceActivities;
import io.gpucloud.activities.instance.InstanceSpec;
import io.gpucloud.activities.instance.InstanceState;
import io.gpucloud.activities.instance.LifecycleActivities;
import io.gpucloud.activities.instance.OperationRequest;
import io.temporal.failure.ActivityFailure;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import org.slf4j.Logger;

/**
 * Reboot: on the instance's host, with both state hooks (onStop, then onStart). A reboot that fails
 * leaves the instance Running when its domain runs, Error otherwise; a host that does not pick the
 * reboot up did nothing, and the instance stays Running.
 */
public class RebootWorkflowImpl implements RebootWorkflow {
  private static final Logger LOG = Workflow.getLogger(RebootWorkflowImpl.class);

  private final Duration hostPickupTimeout;
  private final LifecycleActivities lifecycle = Steps.controlPlane(LifecycleActivities.class);

  public RebootWorkflowImpl() {
    this(Steps.HOST_PICKUP_TIMEOUT);
  }

  /** A shorter pickup timeout for tests (see DeployWorkflowImpl). */
  RebootWorkflowImpl(Duration hostPickupTimeout) {
    this.hostPickupTimeout = hostPickupTimeout;
  }

  @Override
  public void run(OperationRequest request) {
    InstanceSpec spec = Steps.describe(lifecycle, request.instanceId());
    Steps.requireHost(lifecycle, request, spec);
    HostInstanceActivities host = Steps.onHost(spec.hostName(), hostPickupTimeout);
    try {
      host.rebootDomain(spec);
    } catch (ActivityFailure e) {
      throw Steps.domainStepFailed(lifecycle, request, host, spec, "reboot", hostPickupTimeout, e);
    }
    LOG.info("domain {} rebooted on {}", spec.vmName(), spec.hostName());
    lifecycle.finish(request, InstanceState.Running, Workflow.getInfo().getWorkflowId(), null);
  }
}
