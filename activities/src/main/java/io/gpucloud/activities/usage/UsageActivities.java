package io.gpucloud.activities.usage;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;

/** Usage records and exports (task queue {@code control-plane}), set-based SQL on MariaDB. */
@ActivityInterface
public interface UsageActivities {

  /**
   * Writes the RUNNING_VM and ALLOCATED_VM records of every instance that existed in
   * [start, end), from its state changes, and marks the period generated. Idempotent: a re-run
   * writes nothing and changes nothing. Fails (retryably) while the period has not closed.
   */
  @ActivityMethod(name = "GenerateUsagePeriod")
  UsagePeriodResult generatePeriod(Instant start, Instant end, String workflowId);

  /** The closed periods of the UTC day not generated yet, oldest first. */
  @ActivityMethod(name = "MissingUsagePeriods")
  List<Instant> missingPeriods(LocalDate day);

  /**
   * Writes usage-DAY.csv, .jsonl and .sha256 of the day's generated periods into the export
   * directory (each to a temporary name, fsynced, renamed); byte-identical on a re-run.
   */
  @ActivityMethod(name = "WriteUsageExport")
  UsageExportResult writeExport(LocalDate day);
}
