package io.gpucloud.service.temporal;

import com.google.protobuf.Timestamp;
import io.gpucloud.activities.host.HostActivities;
import io.gpucloud.activities.host.HostLivenessActivities;
import io.temporal.api.enums.v1.TaskQueueKind;
import io.temporal.api.enums.v1.TaskQueueType;
import io.temporal.api.taskqueue.v1.PollerInfo;
import io.temporal.api.taskqueue.v1.TaskQueue;
import io.temporal.api.workflowservice.v1.DescribeTaskQueueRequest;
import io.temporal.serviceclient.WorkflowServiceStubs;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The control plane's answer to "is this host alive?" after a host step's pickup timeout (a local
 * activity): alive while Temporal is, or was a moment ago, unreachable (see {@link TemporalReachability}),
 * or when the host's agent polled its queue within the last {@code recentSeconds}; dead otherwise.
 */
public class HostLivenessActivitiesImpl implements HostLivenessActivities {
  private final WorkflowServiceStubs stubs;
  private final String namespace;
  private final TemporalReachability reachability;

  public HostLivenessActivitiesImpl(WorkflowServiceStubs stubs, String namespace, TemporalReachability reachability) {
    this.stubs = stubs;
    this.namespace = namespace;
    this.reachability = reachability;
  }

  @Override
  public Verdict hostLiveness(String hostName, int recentSeconds) {
    Optional<String> outage = reachability.withinOutageGrace();
    if (outage.isPresent()) {
      return new Verdict(true, outage.get());
    }
    Optional<Instant> lastPoll;
    try {
      lastPoll = lastPoll(stubs, namespace, HostActivities.taskQueue(hostName));
      reachability.reachable();
    } catch (RuntimeException e) {
      reachability.unreachable();
      return new Verdict(true, "cannot describe task queue " + HostActivities.taskQueue(hostName) + " ("
          + e.getMessage() + "): Temporal unreachable, not the host");
    }
    if (lastPoll.isEmpty()) {
      return new Verdict(false, "no poller on " + HostActivities.taskQueue(hostName));
    }
    Duration age = Duration.between(lastPoll.get(), Instant.now());
    if (age.compareTo(Duration.ofSeconds(recentSeconds)) <= 0) {
      return new Verdict(true, "its agent polled " + Math.max(0, age.toSeconds()) + " s ago");
    }
    return new Verdict(false, "its agent last polled " + age.toSeconds() + " s ago");
  }

  /** Latest poll of any worker on the queue's activity task queue, if any. */
  public static Optional<Instant> lastPoll(WorkflowServiceStubs stubs, String namespace, String queue) {
    return stubs.blockingStub()
        .withDeadlineAfter(10, TimeUnit.SECONDS)
        .describeTaskQueue(DescribeTaskQueueRequest.newBuilder()
            .setNamespace(namespace)
            .setTaskQueue(TaskQueue.newBuilder().setName(queue).setKind(TaskQueueKind.TASK_QUEUE_KIND_NORMAL))
            .setTaskQueueType(TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY)
            .build())
        .getPollersList().stream()
        .map(PollerInfo::getLastAccessTime)
        .filter(t -> t.getSeconds() > 0 || t.getNanos() > 0)
        .map(HostLivenessActivitiesImpl::toInstant)
        .max(Instant::compareTo);
  }

  private static Instant toInstant(Timestamp t) {
    return Instant.ofEpochSecond(t.getSeconds(), t.getNanos());
  }
}
