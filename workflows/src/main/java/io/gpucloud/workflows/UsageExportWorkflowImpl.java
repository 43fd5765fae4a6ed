package io.gpucloud.workflows;

import io.gpucloud.activities.usage.UsageActivities;
import io.gpucloud.activities.usage.UsageExportResult;
import io.gpucloud.activities.usage.UsagePeriods;
import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;

/**
 * Export of a UTC day ({@code usage-export-<date>}). An export must never miss usage: a period
 * whose own usage workflow has not run yet (service down, a failed run) is generated here first,
 * in order, by calling the idempotent activity directly (a concurrent usage workflow of the same
 * period writes nothing twice: records are unique per instance, type and period). Then the files
 * are written (to temporary names, then renamed).
 */
public class UsageExportWorkflowImpl implements UsageExportWorkflow {
  static final ActivityOptions EXPORT_OPTIONS = ActivityOptions.newBuilder()
      .setStartToCloseTimeout(Duration.ofMinutes(15))
      .setRetryOptions(RetryOptions.newBuilder()
          .setInitialInterval(Duration.ofSeconds(5))
          .setBackoffCoefficient(2.0)
          .setMaximumInterval(Duration.ofMinutes(5))
          .build())
      .build();

  private final Duration periodLength;

  private final UsageActivities generate =
      Workflow.newActivityStub(UsageActivities.class, UsageWorkflowImpl.GENERATE_OPTIONS);
  private final UsageActivities export = Workflow.newActivityStub(UsageActivities.class, EXPORT_OPTIONS);

  /** @param periodLength the configured usage.period: a missing period's end is its start plus this. */
  public UsageExportWorkflowImpl(Duration periodLength) {
    UsagePeriods.validate(periodLength);
    this.periodLength = periodLength;
  }

  @Override
  public UsageExportResult export(LocalDate day) {
    // The configured length is outside the history: record it once so that a replay after a
    // restart with another usage.period takes the same decisions.
    long lengthSeconds = Workflow.sideEffect(Long.class, periodLength::toSeconds);
    UsagePeriods periods = new UsagePeriods(Duration.ofSeconds(lengthSeconds));
    String workflowId = Workflow.getInfo().getWorkflowId();
    List<Instant> missing = generate.missingPeriods(day);
    for (Instant start : missing) {
      generate.generatePeriod(start, periods.end(start), workflowId);
    }
    return export.writeExport(day);
  }
}
