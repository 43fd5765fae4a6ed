package io.gpucloud.service.jobs;

import io.gpucloud.activities.usage.UsagePeriods;
import io.gpucloud.workflows.UsageStarter;
import java.time.Instant;
import org.jdbi.v3.core.Jdbi;
import org.quartz.DisallowConcurrentExecution;
import org.quartz.Job;
import org.quartz.JobExecutionContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fires at every usage period boundary and starts {@code usage-<periodStart>} for every closed
 * period from its cursor on, oldest first. It only starts workflows: generating (and retrying) is
 * the workflow's business, and the deterministic id makes a period run once even when two replicas
 * or a misfire fire it twice. @DisallowConcurrentExecution holds cluster-wide (JDBC job store).
 */
@DisallowConcurrentExecution
public class UsageJob implements Job {
  private static final Logger LOG = LoggerFactory.getLogger(UsageJob.class);
  public static final String NAME = "usage";

  private final JobDependencies deps;

  public UsageJob(JobDependencies deps) {
    this.deps = deps;
  }

  @Override
  public void execute(JobExecutionContext context) {
    UsagePeriods periods = deps.usage().periods();
    run(new ScheduleCursors(deps.jdbi()), deps.jdbi(), periods, Instant.now(),
        p -> UsageStarter.startUsage(deps.client(), p, periods.end(p)).workflowId());
  }

  /** The catch-up: every period from the cursor up to the last closed one, in order. */
  static ScheduleCursors.CatchUp run(ScheduleCursors cursors, Jdbi jdbi, UsagePeriods periods, Instant now,
      PeriodStarter starter) {
    ScheduleCursors.CatchUp done = cursors.catchUp(NAME, () -> firstPeriod(jdbi, periods, now),
        periods.lastClosed(now), periods::end, starter, now);
    if (!done.workflowIds().isEmpty()) {
      LOG.info("usage: started {} period(s) {} .. {}; next period {}", done.workflowIds().size(),
          done.workflowIds().get(0), done.workflowIds().get(done.workflowIds().size() - 1), done.nextPeriod());
    }
    return done;
  }

  /**
   * Where usage begins on a database without a cursor: the period of the oldest state change (no
   * instance existed before it, so nothing earlier can be billed), or the current period (nothing
   * to catch up) when there is none.
   */
  static Instant firstPeriod(Jdbi jdbi, UsagePeriods periods, Instant now) {
    // UNIX_TIMESTAMP: the TIMESTAMP as epoch seconds, whatever the session's time zone
    Long oldest = jdbi.withHandle(h -> h.createQuery("SELECT UNIX_TIMESTAMP(MIN(changed_at)) FROM instance_state_changes")
        .mapTo(java.math.BigDecimal.class).findOne().map(java.math.BigDecimal::longValue).orElse(null));
    return oldest == null ? periods.floor(now) : periods.floor(Instant.ofEpochSecond(oldest));
  }
}
