package io.gpucloud.workflows;

import io.gpucloud.activities.WorkflowTypes;
import io.gpucloud.activities.usage.UsageExportResult;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;
import java.time.LocalDate;

/**
 * Exports a UTC day's usage ({@code usage-export-<date>}): generates the day's missing closed
 * periods first, then writes the csv, jsonl and sha256 files.
 */
@WorkflowInterface
public interface UsageExportWorkflow {
  @WorkflowMethod(name = WorkflowTypes.USAGE_EXPORT)
  UsageExportResult export(LocalDate day);
}
