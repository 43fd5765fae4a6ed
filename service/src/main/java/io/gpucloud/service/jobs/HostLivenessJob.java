package io.gpucloud.service.jobs;

import com.google.protobuf.Timestamp;
import io.gpucloud.activities.host.HostActivities;
import io.temporal.api.enums.v1.TaskQueueKind;
import io.temporal.api.enums.v1.TaskQueueType;
import io.temporal.api.taskqueue.v1.PollerInfo;
import io.temporal.api.taskqueue.v1.TaskQueue;
import io.temporal.api.workflowservice.v1.DescribeTaskQueueRequest;
import io.temporal.api.workflowservice.v1.DescribeTaskQueueResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.quartz.DisallowConcurrentExecution;
import org.quartz.Job;
import org.quartz.JobExecutionContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A host is Up while its agent worker polls the host's activity task queue ({@code host-<name>}):
 * a poller seen within {@code quartz.hostPollerMaxAgeSeconds} (60 s) makes it Up (and stamps
 * last_seen_at), none makes it Disconnected. Runs on one replica at a time (clustered Quartz).
 */
@DisallowConcurrentExecution
public class HostLivenessJob implements Job {
  private static final Logger LOG = LoggerFactory.getLogger(HostLivenessJob.class);
  public static final String NAME = "host-liveness";

  private final JobDependencies deps;

  public HostLivenessJob(JobDependencies deps) {
    this.deps = deps;
  }

  record HostRow(String id, String name, String state) {}

  @Override
  public void execute(JobExecutionContext context) {
    List<HostRow> hosts = deps.jdbi().withHandle(h -> h.createQuery("SELECT id, name, state FROM hosts ORDER BY name")
        .map((rs, ctx) -> new HostRow(rs.getString("id"), rs.getString("name"), rs.getString("state")))
        .list());
    Duration maxAge = Duration.ofSeconds(deps.config().getHostPollerMaxAgeSeconds());
    for (HostRow host : hosts) {
      Optional<Instant> lastPoll;
      try {
        lastPoll = lastPoll(HostActivities.taskQueue(host.name()));
      } catch (RuntimeException e) {
        // Temporal itself unreachable: we know nothing about the host, leave its state alone
        LOG.warn("host liveness: cannot describe task queue of host {}: {}", host.name(), e.getMessage());
        return;
      }
      Instant now = Instant.now();
      boolean up = lastPoll.isPresent() && Duration.between(lastPoll.get(), now).compareTo(maxAge) <= 0;
      if (up) {
        deps.jdbi().useHandle(h -> h.createUpdate("UPDATE hosts SET state = 'Up', last_seen_at = :seen WHERE id = :id")
            .bind("seen", java.sql.Timestamp.from(lastPoll.get())).bind("id", host.id()).execute());
        if (!"Up".equals(host.state())) {
          LOG.info("host {} is Up (agent worker polling)", host.name());
        }
      } else if (!"Disconnected".equals(host.state())) {
        int changed = deps.jdbi().withHandle(h -> h.createUpdate(
                "UPDATE hosts SET state = 'Disconnected' WHERE id = :id AND state <> 'Disconnected'")
            .bind("id", host.id()).execute());
        if (changed > 0) {
          LOG.warn("host {} is Disconnected (no poller on {} within {} s)", host.name(),
              HostActivities.taskQueue(host.name()), maxAge.toSeconds());
        }
      }
    }
  }

  /** Latest poll of any worker on the queue's activity task queue, if any. */
  private Optional<Instant> lastPoll(String queue) {
    DescribeTaskQueueResponse resp = deps.stubs().blockingStub()
        .withDeadlineAfter(10, TimeUnit.SECONDS)
        .describeTaskQueue(DescribeTaskQueueRequest.newBuilder()
            .setNamespace(deps.namespace())
            .setTaskQueue(TaskQueue.newBuilder().setName(queue).setKind(TaskQueueKind.TASK_QUEUE_KIND_NORMAL))
            .setTaskQueueType(TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY)
            .build());
    return resp.getPollersList().stream()
        .map(PollerInfo::getLastAccessTime)
        .filter(t -> t.getSeconds() > 0 || t.getNanos() > 0)
        .map(HostLivenessJob::toInstant)
        .max(Instant::compareTo);
  }

  private static Instant toInstant(Timestamp t) {
    return Instant.ofEpochSecond(t.getSeconds(), t.getNanos());
  }
}
