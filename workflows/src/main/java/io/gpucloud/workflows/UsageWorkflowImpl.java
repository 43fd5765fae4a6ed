package io.gpucloud.workflows;

import io.gpucloud.activities.usage.UsageActivities;
import io.gpucloud.activities.usage.UsagePeriodResult;
import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.time.Instant;

/**
 * Usage of one period ({@code usage-<periodStart>}). Quartz may start it before the period has
 * closed (a trigger firing a moment early, an operator's "run now"): the workflow then waits on a
 * durable timer until the period end plus a settle time, so that state changes committed in the
 * last instant of the period are seen. The activity is idempotent and retried with backoff until
 * it succeeds: durability and retries are Temporal's, not the scheduler's.
 */
public class UsageWorkflowImpl implements UsageWorkflow {
  /** Time after the period end before generating: lets transactions stamped inside the period commit. */
  static final Duration SETTLE = Duration.ofSeconds(2);

  static final ActivityOptions GENERATE_OPTIONS = ActivityOptions.newBuilder()
      // set-based SQL over one period: seconds normally, minutes on a large history
      .setStartToCloseTimeout(Duration.ofMinutes(5))
      .setRetryOptions(RetryOptions.newBuilder()
          .setInitialInterval(Duration.ofSeconds(5))
          .setBackoffCoefficient(2.0)
          .setMaximumInterval(Duration.ofMinutes(5))
          .build()) // unlimited attempts: usage must eventually be generated (a DB outage just delays it)
      .build();

  private final UsageActivities usage = Workflow.newActivityStub(UsageActivities.class, GENERATE_OPTIONS);

  @Override
  public UsagePeriodResult generate(Instant periodStart, Instant periodEnd) {
    Instant ready = periodEnd.plus(SETTLE);
    Instant now = Instant.ofEpochMilli(Workflow.currentTimeMillis());
    if (now.isBefore(ready)) {
      Workflow.sleep(Duration.between(now, ready));
    }
    return usage.generatePeriod(periodStart, periodEnd, Workflow.getInfo().getWorkflowId());
  }
}
