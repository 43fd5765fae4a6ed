package io.gpucloud.workflows;

import io.gpucloud.activities.inventory.InventoryActivities;
import io.gpucloud.activities.usage.UsagePeriods;
import io.temporal.api.enums.v1.WorkflowIdReusePolicy;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowExecutionAlreadyStarted;
import io.temporal.client.WorkflowOptions;
import java.time.Instant;
import java.time.LocalDate;

/**
 * Starts usage and export workflows under their deterministic ids. A period's usage runs once: a
 * completed {@code usage-<periodStart>} is never started again (only a failed one is retried). An
 * export may run again (an operator re-exporting today, or a file lost): its output is the same.
 */
public final class UsageStarter {
  private UsageStarter() {}

  /** What a start did: started now, or found the same id running or (for usage) done. */
  public record Start(String workflowId, boolean started) {}

  public static WorkflowOptions usageOptions(Instant periodStart) {
    return WorkflowOptions.newBuilder()
        .setWorkflowId(UsagePeriods.workflowId(periodStart))
        .setTaskQueue(InventoryActivities.CONTROL_PLANE_QUEUE)
        .setWorkflowIdReusePolicy(WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE_FAILED_ONLY)
        .setStaticSummary("Usage records of the period starting " + periodStart)
        .build();
  }

  public static WorkflowOptions exportOptions(LocalDate day) {
    return WorkflowOptions.newBuilder()
        .setWorkflowId(UsagePeriods.exportWorkflowId(day))
        .setTaskQueue(InventoryActivities.CONTROL_PLANE_QUEUE)
        .setWorkflowIdReusePolicy(WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE)
        .setStaticSummary("Usage export of " + day + " (UTC)")
        .build();
  }

  /** Starts the period's usage run unless that id is running or completed. */
  public static Start startUsage(WorkflowClient client, Instant periodStart, Instant periodEnd) {
    UsageWorkflow wf = client.newWorkflowStub(UsageWorkflow.class, usageOptions(periodStart));
    try {
      WorkflowClient.start(wf::generate, periodStart, periodEnd);
      return new Start(UsagePeriods.workflowId(periodStart), true);
    } catch (WorkflowExecutionAlreadyStarted already) {
      return new Start(UsagePeriods.workflowId(periodStart), false);
    }
  }

  /** Starts the day's export unless one is running already (then that run is the answer). */
  public static Start startExport(WorkflowClient client, LocalDate day) {
    UsageExportWorkflow wf = client.newWorkflowStub(UsageExportWorkflow.class, exportOptions(day));
    try {
      WorkflowClient.start(wf::export, day);
      return new Start(UsagePeriods.exportWorkflowId(day), true);
    } catch (WorkflowExecutionAlreadyStarted already) {
      return new Start(UsagePeriods.exportWorkflowId(day), false);
    }
  }
}
