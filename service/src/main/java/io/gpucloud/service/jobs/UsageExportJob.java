package io.gpucloud.service.jobs;

import io.gpucloud.activities.usage.UsagePeriods;
import io.gpucloud.workflows.UsageStarter;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import org.quartz.DisallowConcurrentExecution;
import org.quartz.Job;
import org.quartz.JobExecutionContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fires nightly (usage.exportCron, UTC) and starts {@code usage-export-<date>} for every UTC day
 * from its cursor up to yesterday, oldest first: after downtime each missed day is exported once,
 * in order. The export workflow generates the day's missing periods itself before writing.
 */
@DisallowConcurrentExecution
public class UsageExportJob implements Job {
  private static final Logger LOG = LoggerFactory.getLogger(UsageExportJob.class);
  public static final String NAME = "usage-export";
  private static final Duration DAY = Duration.ofDays(1);

  private final JobDependencies deps;

  public UsageExportJob(JobDependencies deps) {
    this.deps = deps;
  }

  @Override
  public void execute(JobExecutionContext context) {
    run(new ScheduleCursors(deps.jdbi()), Instant.now(),
        day -> UsageStarter.startExport(deps.client(), LocalDate.ofInstant(day, ZoneOffset.UTC)).workflowId());
  }

  /** Days are cursor values at UTC midnight; the last due is yesterday (today has not ended). */
  static ScheduleCursors.CatchUp run(ScheduleCursors cursors, Instant now, PeriodStarter starter) {
    Instant yesterday = midnight(now).minus(DAY);
    ScheduleCursors.CatchUp done = cursors.catchUp(NAME, () -> yesterday, yesterday, d -> d.plus(DAY), starter, now);
    if (!done.workflowIds().isEmpty()) {
      LOG.info("usage export: started {}", done.workflowIds());
    }
    return done;
  }

  static Instant midnight(Instant t) {
    return LocalDate.ofInstant(t, ZoneOffset.UTC).atStartOfDay(ZoneOffset.UTC).toInstant();
  }

  /** The export id of a cursor value (for logs and tests). */
  static String workflowId(Instant day) {
    return UsagePeriods.exportWorkflowId(LocalDate.ofInstant(day, ZoneOffset.UTC));
  }
}
