package io.gpucloud.controlplane.usage;

import io.gpucloud.activities.usage.UsageActivities;
import io.gpucloud.activities.usage.UsageExportResult;
import io.gpucloud.activities.usage.UsageExportResult.ExportedFile;
import io.gpucloud.activities.usage.UsagePeriodResult;
import io.gpucloud.activities.usage.UsagePeriods;
import io.temporal.failure.ApplicationFailure;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.transaction.TransactionIsolationLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Usage records and exports on MariaDB: thin, the SQL is in {@link UsageGenerator}, the files in {@link UsageExportWriter}. */
public class UsageActivitiesImpl implements UsageActivities {
  /** ApplicationFailure type of a period that is not one of the configured periods. */
  public static final String INVALID_PERIOD = "InvalidUsagePeriod";
  /** ApplicationFailure type (retryable) of a period that has not closed yet. */
  public static final String PERIOD_NOT_CLOSED = "UsagePeriodNotClosed";
  /**
   * A period counts as closed this long after its end, by the database's clock: a state change committed
   * just at the boundary lands before its period is read.
   */
  static final Duration SETTLE = Duration.ofSeconds(2);

  private static final Logger LOG = LoggerFactory.getLogger(UsageActivitiesImpl.class);

  private final Jdbi jdbi;
  private final UsagePeriods periods;
  private final Path exportDir;

  public UsageActivitiesImpl(Jdbi jdbi, UsagePeriods periods, Path exportDir) {
    this.jdbi = jdbi;
    this.periods = periods;
    this.exportDir = exportDir;
  }

  @Override
  public UsagePeriodResult generatePeriod(Instant start, Instant end, String workflowId) {
    if (start == null || end == null || !periods.floor(start).equals(start)) {
      throw ApplicationFailure.newNonRetryableFailure("usage period start " + start + " is not aligned to the "
          + periods.length() + " periods (expected " + (start == null ? null : periods.floor(start)) + ")",
          INVALID_PERIOD);
    }
    if (!periods.end(start).equals(end)) {
      throw ApplicationFailure.newNonRetryableFailure("usage period end " + end + " must be start + "
          + periods.length() + " = " + periods.end(start), INVALID_PERIOD);
    }
    // READ COMMITTED: the INSERT ... SELECT then reads the history without locking it, so deploys and
    // stops (whose triggers append to instance_state_changes) never wait for a generation.
    UsagePeriodResult r = jdbi.inTransaction(TransactionIsolationLevel.READ_COMMITTED, h -> {
      UsageGenerator.utc(h);
      Instant closedUntil = UsageGenerator.now(h).minus(SETTLE);
      if (end.isAfter(closedUntil)) {
        // periods that have not closed are never written: a later state change would be missed
        throw ApplicationFailure.newFailure("usage period " + start + " - " + end + " has not closed yet (database"
            + " time minus " + SETTLE.toSeconds() + " s is " + closedUntil + ")", PERIOD_NOT_CLOSED);
      }
      return UsageGenerator.generated(h, start)
          .orElseGet(() -> UsageGenerator.generate(h, start, end, workflowId));
    });
    LOG.info("usage period {} - {}: {} instances, {} records written, {} in all", start, end, r.instances(),
        r.written(), r.records());
    return r;
  }

  @Override
  public List<Instant> missingPeriods(LocalDate day) {
    List<Instant> starts = periods.ofDay(day);
    Instant from = starts.get(0);
    Instant to = day.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant();
    return jdbi.withHandle(h -> {
      UsageGenerator.utc(h);
      Instant closedUntil = UsageGenerator.now(h).minus(SETTLE);
      Set<Instant> done = UsageGenerator.generatedBetween(h, from, to);
      List<Instant> missing = new ArrayList<>();
      for (Instant s : starts) {
        if (!periods.end(s).isAfter(closedUntil) && !done.contains(s)) {
          missing.add(s);
        }
      }
      return missing;
    });
  }

  @Override
  public UsageExportResult writeExport(LocalDate day) {
    Instant from = day.atStartOfDay(ZoneOffset.UTC).toInstant();
    Instant to = day.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant();
    try {
      List<ExportedFile> files = jdbi.withHandle(h -> {
        UsageGenerator.utc(h);
        try (UsageExportWriter w = UsageExportWriter.open(exportDir, day)) {
          UsageRecordReader.stream(h, from, to, w::write);
          return w.commit();
        }
      });
      long records = files.get(0).rows();
      jdbi.useTransaction(h -> {
        for (ExportedFile f : files) {
          h.createUpdate("INSERT INTO usage_exports (file, day, `rows`, bytes, sha256)"
                  + " VALUES (:file, :day, :rows, :bytes, :sha256) ON DUPLICATE KEY UPDATE day = VALUES(day),"
                  + " `rows` = VALUES(`rows`), bytes = VALUES(bytes), sha256 = VALUES(sha256),"
                  + " written_at = CURRENT_TIMESTAMP(3)")
              .bind("file", f.name()).bind("day", day).bind("rows", f.rows()).bind("bytes", f.bytes())
              .bind("sha256", f.sha256()).execute();
        }
      });
      LOG.info("usage export {}: {} records into {}", day, records, exportDir);
      return new UsageExportResult(day, records, files);
    } catch (IOException e) {
      throw new UncheckedIOException("usage export " + day + " into " + exportDir + ": " + e.getMessage(), e);
    }
  }
}
