package io.gpucloud.workflows;

import io.gpucloud.activities.instance.HostInstanceActivities;
import io.gpucloud.activities.instance.InstanceSpec;
import io.gpucloud.activities.instance.InstanceState;
import io.gpucloud.activities.instance.LifecycleActivities;
import io.gpucloud.activities.instance.OperationRequest;
import io.temporal.failure.TemporalFailure;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import org.slf4j.Logger;

/**
 * Destroy, from Running, Stopped or Error: on its host (if it has one) the domain is stopped if it
 * runs and undefined, its mdevs removed and its root disk deleted; then every device and quota unit
 * is given back and the instance is Destroyed. Devices are never freed while a domain might still
 * hold them: a host step that fails, or a host that does not pick it up, leaves the instance in Error
 * with the reason and its devices held, and a later destroy (same workflow id, allowed again after a
 * failure) repeats the idempotent steps.
 */
public class DestroyWorkflowImpl implements DestroyWorkflow {
  private static final Logger LOG = Workflow.getLogger(DestroyWorkflowImpl.class);

  private final Duration hostPickupTimeout;
  private final LifecycleActivities lifecycle = Steps.controlPlane(LifecycleActivities.class);

  public DestroyWorkflowImpl() {
    this(Steps.HOST_PICKUP_TIMEOUT);
  }

  /** A shorter pickup timeout for tests (see DeployWorkflowImpl). */
  DestroyWorkflowImpl(Duration hostPickupTimeout) {
    this.hostPickupTimeout = hostPickupTimeout;
  }

  @Override
  public void run(OperationRequest request) {
    String id = request.instanceId();
    InstanceSpec spec = Steps.describe(lifecycle, id);
    try {
      if (spec.hostName() != null) {
        HostInstanceActivities host = Steps.onHost(spec.hostName(), hostPickupTimeout);
        host.tearDownDomain(spec);
        if (Steps.hasMdevs(spec)) {
          // mdevs kept at stop were not created by this domain's last set-up
          host.removeMdevs(spec);
        }
        host.deleteRootDisk(spec);
      }
    } catch (TemporalFailure e) {
      throw Steps.failed(lifecycle, request, InstanceState.Error, Steps.hostUnreachable(e)
          ? Steps.unreachable(spec.hostName(), "destroy", hostPickupTimeout) + "; its devices stay held" : Steps.reason(e),
          Steps.failedType(request));
    }
    LOG.info("{} destroyed (host {})", id, spec.hostName());
    lifecycle.markDestroyed(id, Workflow.getInfo().getWorkflowId());
  }
}
