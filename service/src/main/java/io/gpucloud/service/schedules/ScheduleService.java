package io.gpucloud.service.schedules;

import io.gpucloud.service.ApiException;
import io.gpucloud.service.common.Iso;
import io.gpucloud.service.jobs.QuartzManaged;
import io.gpucloud.service.jobs.ScheduleCursors;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionRequest;
import io.temporal.client.WorkflowClient;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.quartz.CalendarIntervalTrigger;
import org.quartz.CronTrigger;
import org.quartz.DateBuilder;
import org.quartz.JobKey;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.quartz.SimpleTrigger;
import org.quartz.Trigger;
import org.quartz.TriggerKey;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What GET /schedules shows and POST /schedules/{name}/run does. The schedules are read from Quartz
 * (the clustered store: what really fires, on whichever replica), the cursors from schedule_cursors,
 * the last workflow's status from Temporal. "Run now" goes through Quartz, not around it, so it keeps
 * the job's one-at-a-time guarantee across replicas.
 */
public class ScheduleService {
  private static final Logger LOG = LoggerFactory.getLogger(ScheduleService.class);
  private static final String STATUS_PREFIX = "WORKFLOW_EXECUTION_STATUS_";

  /** A workflow's status name (RUNNING, COMPLETED, ...), or null when there is no such workflow. */
  @FunctionalInterface
  public interface WorkflowStatuses {
    String status(String workflowId);
  }

  private final Supplier<Scheduler> scheduler;
  private final ScheduleCursors cursors;
  private final WorkflowStatuses statuses;

  public ScheduleService(Supplier<Scheduler> scheduler, ScheduleCursors cursors, WorkflowClient client) {
    this(scheduler, cursors, temporalStatuses(client));
  }

  public ScheduleService(Supplier<Scheduler> scheduler, ScheduleCursors cursors, WorkflowStatuses statuses) {
    this.scheduler = scheduler;
    this.cursors = cursors;
    this.statuses = statuses;
  }

  public List<ScheduleView> list() {
    Scheduler s = scheduler.get();
    List<ScheduleView> views = new ArrayList<>();
    for (String name : QuartzManaged.JOBS) {
      Trigger trigger = null;
      if (s != null) {
        try {
          trigger = s.getTrigger(TriggerKey.triggerKey(name, QuartzManaged.GROUP));
        } catch (SchedulerException e) {
          throw new ApiException(503, "the scheduler cannot be read: " + e.getMessage());
        }
      }
      Optional<ScheduleCursors.Cursor> cursor = cursors.get(name);
      String lastId = cursor.map(ScheduleCursors.Cursor::lastWorkflowId).orElse(null);
      views.add(new ScheduleView(name, describe(trigger),
          trigger == null ? null : iso(trigger.getPreviousFireTime()),
          trigger == null ? null : iso(trigger.getNextFireTime()),
          cursor.map(c -> Iso.of(c.nextPeriod())).orElse(null),
          lastId,
          lastId == null ? null : statuses.status(lastId)));
    }
    return views;
  }

  public ScheduleRun run(String name) {
    if (!QuartzManaged.JOBS.contains(name)) {
      throw ApiException.notFound("schedule " + name + " not found; known: " + String.join(", ", QuartzManaged.JOBS));
    }
    Scheduler s = scheduler.get();
    if (s == null) {
      throw ApiException.conflict("the scheduler is disabled (quartz.enabled: false)");
    }
    JobKey key = JobKey.jobKey(name, QuartzManaged.GROUP);
    try {
      if (!s.checkExists(key)) {
        throw ApiException.notFound("schedule " + name + " is not scheduled on this service");
      }
      Instant firedAt = Instant.now();
      s.triggerJob(key);
      return new ScheduleRun(name, Iso.of(firedAt));
    } catch (SchedulerException e) {
      throw new ApiException(503, "the scheduler cannot fire " + name + ": " + e.getMessage());
    }
  }

  /** "every PT1H" for an interval trigger, "cron <expression> <zone>" for a cron trigger, null when none. */
  static String describe(Trigger trigger) {
    if (trigger instanceof CalendarIntervalTrigger ct && ct.getRepeatIntervalUnit() == DateBuilder.IntervalUnit.SECOND) {
      return "every " + Duration.ofSeconds(ct.getRepeatInterval());
    }
    if (trigger instanceof CalendarIntervalTrigger ct) {
      return "every " + ct.getRepeatInterval() + " " + ct.getRepeatIntervalUnit();
    }
    if (trigger instanceof SimpleTrigger st) {
      return "every " + Duration.ofMillis(st.getRepeatInterval());
    }
    if (trigger instanceof CronTrigger ct) {
      return "cron " + ct.getCronExpression() + " " + ct.getTimeZone().getID();
    }
    return null;
  }

  private static String iso(Date d) {
    return d == null ? null : Iso.of(d.toInstant());
  }

  static WorkflowStatuses temporalStatuses(WorkflowClient client) {
    return id -> {
      try {
        WorkflowExecutionStatus status = client.getWorkflowServiceStubs().blockingStub()
            .withDeadlineAfter(5, TimeUnit.SECONDS)
            .describeWorkflowExecution(DescribeWorkflowExecutionRequest.newBuilder()
                .setNamespace(client.getOptions().getNamespace())
                .setExecution(WorkflowExecution.newBuilder().setWorkflowId(id))
                .build())
            .getWorkflowExecutionInfo().getStatus();
        String n = status.name();
        return n.startsWith(STATUS_PREFIX) ? n.substring(STATUS_PREFIX.length()) : n;
      } catch (StatusRuntimeException e) {
        if (e.getStatus().getCode() == Status.Code.NOT_FOUND) {
          return null; // e.g. past the namespace's retention
        }
        LOG.debug("cannot describe workflow {}: {}", id, e.getStatus());
        return "UNKNOWN";
      }
    };
  }
}
