package io.gpucloud.service.jobs;

import io.gpucloud.activities.usage.UsagePeriods;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.api.enums.v1.WorkflowIdReusePolicy;
import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionRequest;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowExecutionAlreadyStarted;
import io.temporal.client.WorkflowExecutionMetadata;
import io.gpucloud.workflows.DiscoveryStarter;
import io.gpucloud.workflows.DiscoveryWorkflow;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.jdbi.v3.core.Jdbi;
import org.quartz.DisallowConcurrentExecution;
import org.quartz.Job;
import org.quartz.JobExecutionContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Scheduled rediscovery: at each fire, one Discovery workflow per Up host for the current interval
 * ({@code discover-<host>-<periodStart>}, REJECT_DUPLICATE), so a second fire in the same interval
 * (another replica, "run now") starts nothing new. No catch-up: a missed interval's discovery is
 * worthless once a newer one runs. A host whose previous discovery still runs is skipped (two
 * reconciles of one host would only fight) and the skip becomes a host event operators see.
 * Hosts that are Down or Disconnected are skipped silently: nobody polls their queue.
 */
@DisallowConcurrentExecution
public class DiscoveryScheduleJob implements Job {
  private static final Logger LOG = LoggerFactory.getLogger(DiscoveryScheduleJob.class);
  public static final String NAME = "discovery";
  public static final String SKIPPED_EVENT = "DISCOVERY_SKIPPED";

  /** What the job needs from Temporal; a fake in tests. */
  public interface DiscoveryStarts {
    /** A discovery of the host that still runs (its id), other than {@code currentId}. */
    Optional<String> running(String hostName, String previousId, String currentId);

    /** Starts {@code workflowId}; false when that id was started already. */
    boolean start(String workflowId, String hostName);
  }

  /** What one fire did, by host name (started and already started by workflow id). */
  public record Result(Instant periodStart, List<String> started, List<String> alreadyStarted,
      List<String> skippedRunning, List<String> notUp, List<String> failed) {}

  record HostRow(String id, String name, String state) {}

  private final JobDependencies deps;

  public DiscoveryScheduleJob(JobDependencies deps) {
    this.deps = deps;
  }

  @Override
  public void execute(JobExecutionContext context) {
    run(deps.jdbi(), new ScheduleCursors(deps.jdbi()), deps.discovery().getInterval(), Instant.now(),
        new TemporalDiscoveryStarts(deps.client(), deps.namespace()));
  }

  /** Start of the interval containing {@code t}, aligned to the epoch (and so to UTC midnight when it divides a day). */
  static Instant floor(Instant t, Duration interval) {
    long s = interval.toSeconds();
    return Instant.ofEpochSecond(Math.floorDiv(t.getEpochSecond(), s) * s);
  }

  static Result run(Jdbi jdbi, ScheduleCursors cursors, Duration interval, Instant now, DiscoveryStarts starts) {
    Instant periodStart = floor(now, interval);
    Instant previousStart = periodStart.minus(interval);
    List<HostRow> hosts = jdbi.withHandle(h -> h.createQuery("SELECT id, name, state FROM hosts ORDER BY name")
        .map((rs, ctx) -> new HostRow(rs.getString("id"), rs.getString("name"), rs.getString("state")))
        .list());
    Result r = new Result(periodStart, new ArrayList<>(), new ArrayList<>(), new ArrayList<>(), new ArrayList<>(),
        new ArrayList<>());
    String last = null;
    for (HostRow host : hosts) {
      if (!"Up".equals(host.state())) {
        r.notUp().add(host.name());
        continue;
      }
      String id = UsagePeriods.discoveryWorkflowId(host.name(), periodStart);
      try {
        Optional<String> running =
            starts.running(host.name(), UsagePeriods.discoveryWorkflowId(host.name(), previousStart), id);
        if (running.isPresent()) {
          recordSkip(jdbi, host, running.get(), id);
          r.skippedRunning().add(host.name());
          continue;
        }
        if (starts.start(id, host.name())) {
          r.started().add(id);
        } else {
          r.alreadyStarted().add(id);
        }
        last = id;
      } catch (RuntimeException e) {
        LOG.warn("discovery schedule: cannot start {} ({}: {})", id, e.getClass().getName(), e.getMessage());
        r.failed().add(host.name());
      }
    }
    cursors.record(NAME, periodStart.plus(interval), last, now);
    if (!r.started().isEmpty() || !r.skippedRunning().isEmpty() || !r.failed().isEmpty()) {
      LOG.info("discovery schedule {}: started {}, skipped (still running) {}, failed {}", periodStart,
          r.started(), r.skippedRunning(), r.failed());
    }
    return r;
  }

  private static void recordSkip(Jdbi jdbi, HostRow host, String runningId, String skippedId) {
    String message = "scheduled discovery " + skippedId + " skipped: discovery " + runningId + " still runs";
    jdbi.useHandle(h -> h.createUpdate("INSERT INTO host_events (host_id, level, type, message, workflow_id)"
            + " VALUES (:host, 'INFO', :type, :message, :wf)")
        .bind("host", host.id()).bind("type", SKIPPED_EVENT).bind("message", message).bind("wf", runningId)
        .execute());
  }

  /**
   * The Temporal side. A running discovery is found by describing the previous interval's id (strongly
   * consistent) and then by a visibility query on the HostName search attribute, which also finds
   * discoveries started by hand or at registration; visibility lags on the dev server, hence both.
   */
  static final class TemporalDiscoveryStarts implements DiscoveryStarts {
    private final WorkflowClient client;
    private final String namespace;

    TemporalDiscoveryStarts(WorkflowClient client, String namespace) {
      this.client = client;
      this.namespace = namespace;
    }

    @Override
    public Optional<String> running(String hostName, String previousId, String currentId) {
      try {
        WorkflowExecutionStatus status = client.getWorkflowServiceStubs().blockingStub()
            .withDeadlineAfter(10, TimeUnit.SECONDS)
            .describeWorkflowExecution(DescribeWorkflowExecutionRequest.newBuilder()
                .setNamespace(namespace)
                .setExecution(WorkflowExecution.newBuilder().setWorkflowId(previousId))
                .build())
            .getWorkflowExecutionInfo().getStatus();
        if (status == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING) {
          return Optional.of(previousId);
        }
      } catch (StatusRuntimeException e) {
        if (e.getStatus().getCode() != Status.Code.NOT_FOUND) {
          throw e; // Temporal unreachable: starting would fail as well
        }
      }
      String query = "WorkflowType='Discovery' AND ExecutionStatus='Running' AND HostName='"
          + hostName.replace("\\", "\\\\").replace("'", "\\'") + "'";
      try {
        return client.listExecutions(query)
            .map(WorkflowExecutionMetadata::getExecution)
            .map(WorkflowExecution::getWorkflowId)
            .filter(id -> !id.equals(currentId))
            .findFirst();
      } catch (RuntimeException e) {
        // e.g. the HostName search attribute missing: the describe above still guards the usual case
        LOG.warn("discovery schedule: visibility query for host {} failed ({}: {})", hostName,
            e.getClass().getName(), e.getMessage());
        return Optional.empty();
      }
    }

    @Override
    public boolean start(String workflowId, String hostName) {
      DiscoveryWorkflow wf = client.newWorkflowStub(DiscoveryWorkflow.class,
          DiscoveryStarter.options(workflowId, hostName).toBuilder()
              .setWorkflowIdReusePolicy(WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE)
              .build());
      try {
        WorkflowClient.start(wf::discover, hostName);
        return true;
      } catch (WorkflowExecutionAlreadyStarted already) {
        return false;
      }
    }
  }
}
