package io.gpucloud.workflows;

import io.gpucloud.activities.WorkflowTypes;
import io.gpucloud.activities.usage.UsagePeriodResult;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;
import java.time.Instant;

/** Generates the usage records of one period ({@code usage-<periodStart>}), once it has closed. */
@WorkflowInterface
public interface UsageWorkflow {
  @WorkflowMethod(name = WorkflowTypes.USAGE)
  UsagePeriodResult generate(Instant periodStart, Instant periodEnd);
}
