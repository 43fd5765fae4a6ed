package io.gpucloud.workflows;

import io.gpucloud.activities.instance.InstanceActivities;
import io.gpucloud.activities.instance.InstanceSpec;
import io.gpucloud.activities.instance.InstanceState;
import io.gpucloud.activities.instance.LifecycleActivities;
import io.gpucloud.activities.instance.OperationRequest;
import io.gpucloud.activities.instance.Reservation;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.TemporalFailure;
import io.temporal.workflow.Saga;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import org.slf4j.Logger;

/**
 * Cold migration of a Stopped instance. A stopped domain is undefined on every host (stop undefines
 * it) and its root disk is on storage both hosts share, so nothing is copied or defined here: the
 * next start builds the domain on the new host. Steps:
 * <ol>
 *   <li>reserve the same devices on the target (undo: release them there);
 *   <li>when it holds vGPUs, remove its mdevs on the source, before its source devices go Free, so
 *       that no mdev outlives its device and no later removal can hit another instance's (start
 *       recreates missing mdevs, so this is harmless if the migration is undone; without vGPUs the
 *       source host is not needed at all);
 *   <li>move the instance: its target devices Allocated, its source devices released, one transaction.
 * </ol>
 * Any failure is undone and leaves it Stopped on the source.
 */
public class MigrateWorkflowImpl implements MigrateWorkflow {
  private static final Logger LOG = Workflow.getLogger(MigrateWorkflowImpl.class);

  private final Duration hostPickupTimeout;
  private final LifecycleActivities lifecycle = Steps.controlPlane(LifecycleActivities.class);

  public MigrateWorkflowImpl() {
    this(Steps.HOST_PICKUP_TIMEOUT);
  }

  /** A shorter pickup timeout for tests (see DeployWorkflowImpl). */
  MigrateWorkflowImpl(Duration hostPickupTimeout) {
    this.hostPickupTimeout = hostPickupTimeout;
  }

  @Override
  public void run(OperationRequest request) {
    String id = request.instanceId();
    Reservation source = lifecycle.locate(id);
    InstanceSpec spec = source.spec();
    Steps.upsertHostName(spec.hostName());
    Saga saga = Steps.saga(true);
    // the target is known before the reservation only when the request names it
    String[] target = {request.targetHostId()};
    saga.addCompensation(() -> {
      if (target[0] != null) {
        lifecycle.releaseOnHost(id, target[0]);
      }
    });
    try {
      Reservation r = lifecycle.reserveForMigration(id, request.targetHostId());
      if (!r.reserved()) {
        throw ApplicationFailure.newNonRetryableFailure("insufficient capacity: "
            + (request.targetHostId() == null ? "no other host can take the instance now"
                : "the target host cannot take the instance now"), InstanceActivities.INSUFFICIENT_CAPACITY);
      }
      target[0] = r.hostId();
      if (Steps.hasMdevs(spec)) {
        Steps.onHost(spec.hostName(), hostPickupTimeout).removeMdevs(spec);
      }
      lifecycle.completeMigration(id, source.hostId(), r.hostId());
      Steps.upsertHostName(r.spec().hostName());
    } catch (TemporalFailure e) {
      Steps.compensate(saga);
      throw Steps.failed(lifecycle, request, InstanceState.Stopped, Steps.hostUnreachable(e)
          ? Steps.unreachable(spec.hostName(), "migration", hostPickupTimeout) : Steps.reason(e),
          Steps.failureType(request, e));
    }
    LOG.info("{} moved from {} to {}", id, spec.hostName(), target[0]);
    lifecycle.finish(request, InstanceState.Stopped, Workflow.getInfo().getWorkflowId(), null);
  }
}
