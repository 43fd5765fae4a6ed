package io.gpucloud.workflows;

import io.gpucloud.activities.instance.HostInstanceActivities;
import io.gpucloud.activities.instance.InstanceActivities;
import io.gpucloud.activities.instance.InstanceState;
import io.gpucloud.activities.instance.LifecycleActivities;
import io.gpucloud.activities.instance.OperationRequest;
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
 * Start, a saga like Deploy's: with its devices still held, the instance starts on its host; with
 * them given back at stop, it reserves again through deploy's placement (limits counted again, its
 * previous host preferred) and may land on another host. Then the host sets the domain up (XML,
 * transformer hook, define, start, onStart) and the devices are committed. No room anywhere: it stays
 * Stopped and the workflow fails with an insufficient-capacity reason. A host whose worker does not
 * pick the set-up up is undone and the next host tried (devices held there: it stays Stopped). Any
 * other failure is undone and leaves it Stopped; an undo that fails on the host leaves it in Error
 * with its devices held, since a domain might still use them.
 */
public class StartWorkflowImpl implements StartWorkflow {
  private static final Logger LOG = Workflow.getLogger(StartWorkflowImpl.class);

  private final Duration hostPickupTimeout;
  private final LifecycleActivities lifecycle = Steps.controlPlane(LifecycleActivities.class);

  /** releaseOnHost(instance, ANY_HOST): its pending reservation wherever it is. */
  private static final String ANY_HOST = null;

  /** Why the last unreachable host was skipped, for the final error. */
  private String lastHostProblem;

  public StartWorkflowImpl() {
    this(Steps.HOST_PICKUP_TIMEOUT);
  }

  /** A shorter pickup timeout for tests (see DeployWorkflowImpl). */
  StartWorkflowImpl(Duration hostPickupTimeout) {
    this.hostPickupTimeout = hostPickupTimeout;
  }

  @Override
  public void run(OperationRequest request) {
    Reservation before = lifecycle.locate(request.instanceId());
    Steps.upsertHostName(before.spec() == null ? null : before.spec().hostName());
    // devices still held (stopped without detach): they are Allocated, and start only uses them
    boolean held = before.spec() != null && !before.spec().devices().isEmpty();
    List<String> unreachable = new ArrayList<>();
    while (!tryHost(request, before.hostId(), held, unreachable)) {
      LOG.warn("{}; trying the next host", lastHostProblem);
    }
    lifecycle.finish(request, InstanceState.Running, Workflow.getInfo().getWorkflowId(), null);
  }

  /**
   * Reserve (or find the held devices), set the domain up on that host, commit: true. False when
   * that host's worker did not pick the set-up up and the devices were reserved anew (the host is
   * added to {@code unreachable}, the reservation undone). Anything else ends the operation.
   */
  private boolean tryHost(OperationRequest request, String previousHostId, boolean held, List<String> unreachable) {
    String id = request.instanceId();
    Saga saga = Steps.saga(false); // a failing host undo stops there: devices are never freed under a domain
    boolean[] setUpNeverRan = {false};
    Reservation r = null;
    try {
      if (!held) {
        // undo of a new reservation, wherever it is: its pending (Reserved) devices go back and its
        // GPUs stop counting again; releaseDevices would refuse a Starting instance
        saga.addCompensation(lifecycle::releaseOnHost, id, ANY_HOST);
      }
      r = lifecycle.reserveForStart(id, previousHostId, unreachable);
      if (!r.reserved()) {
        throw ApplicationFailure.newNonRetryableFailure("insufficient capacity: no host can take the instance now"
            + (lastHostProblem == null ? "" : " (" + lastHostProblem + ")"), InstanceActivities.INSUFFICIENT_CAPACITY);
      }
      Steps.upsertHostName(r.spec().hostName());
      HostInstanceActivities host = Steps.onHost(r.spec().hostName(), hostPickupTimeout);
      var spec = r.spec();
      saga.addCompensation(() -> {
        try {
          host.tearDownDomain(spec);
        } catch (ActivityFailure f) {
          if (!setUpNeverRan[0]) {
            throw f;
          }
        }
      });
      // a host believed alive (a Temporal outage, pollers backing off) is tried again (see Steps#onLiveHost)
      Steps.onLiveHost(spec.hostName(), hostPickupTimeout, Steps.HOST_OUTAGE_DEADLINE, () -> host.setUpDomain(spec));
      lifecycle.commitRunning(id, r.hostId(), Workflow.getInfo().getWorkflowId());
      return true;
    } catch (TemporalFailure e) {
      boolean deadHost = r != null && r.reserved() && Steps.hostUnreachable(e);
      setUpNeverRan[0] = deadHost;
      String undoFailed = Steps.tryCompensate(saga);
      String reason = deadHost ? Steps.unreachable(r.spec().hostName(), "start", hostPickupTimeout) : Steps.reason(e);
      if (undoFailed != null) {
        throw Steps.failed(lifecycle, request, InstanceState.Error, reason + "; undo failed: " + undoFailed,
            Steps.failedType(request));
      }
      if (deadHost && !held) {
        unreachable.add(r.hostId());
        lastHostProblem = reason;
        return false;
      }
      throw Steps.failed(lifecycle, request, InstanceState.Stopped, reason,
          Steps.failureType(request, e));
    }
  }
}
