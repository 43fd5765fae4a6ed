package io.gpucloud.workflows;

import io.gpucloud.activities.instance.InstanceSpec;
import io.gpucloud.activities.instance.InstanceState;
import io.gpucloud.activities.instance.LifecycleActivities;
import io.gpucloud.activities.instance.OperationRequest;
import io.temporal.failure.TemporalFailure;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import org.slf4j.Logger;

/**
 * Scale of a Stopped instance to another offering: CPU, memory, GPU profile and count, limits checked
 * on the difference, devices that no longer fit released (next start reserves what the offering
 * needs). Mdevs the instance still holds are removed on its host first, so that no mdev of a released
 * device is left behind (start recreates the ones it keeps). It stays Stopped either way; a refused
 * or failed scale changes nothing and fails with the reason.
 */
public class ScaleWorkflowImpl implements ScaleWorkflow {
  private static final Logger LOG = Workflow.getLogger(ScaleWorkflowImpl.class);

  private final Duration hostPickupTimeout;
  private final LifecycleActivities lifecycle = Steps.controlPlane(LifecycleActivities.class);

  public ScaleWorkflowImpl() {
    this(Steps.HOST_PICKUP_TIMEOUT);
  }

  /** A shorter pickup timeout for tests (see DeployWorkflowImpl). */
  ScaleWorkflowImpl(Duration hostPickupTimeout) {
    this.hostPickupTimeout = hostPickupTimeout;
  }

  @Override
  public void run(OperationRequest request) {
    InstanceSpec spec = Steps.describe(lifecycle, request.instanceId());
    try {
      if (Steps.hasMdevs(spec)) {
        Steps.onHost(spec.hostName(), hostPickupTimeout).removeMdevs(spec);
      }
      lifecycle.applyOffering(request.instanceId(), request.offeringId());
    } catch (TemporalFailure e) {
      throw Steps.failed(lifecycle, request, InstanceState.Stopped, Steps.hostUnreachable(e)
          ? Steps.unreachable(spec.hostName(), "scale", hostPickupTimeout) : Steps.reason(e),
          Steps.failureType(request, e));
    }
    LOG.info("{} now has offering {}", request.instanceId(), request.offeringId());
    lifecycle.finish(request, InstanceState.Stopped, Workflow.getInfo().getWorkflowId(), null);
  }
}
