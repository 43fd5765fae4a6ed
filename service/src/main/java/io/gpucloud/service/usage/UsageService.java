package io.gpucloud.service.usage;

import io.gpucloud.activities.usage.UsageType;
import io.gpucloud.service.ApiException;
import io.gpucloud.service.auth.Caller;
import io.gpucloud.service.auth.Scope;
import io.gpucloud.service.common.Checks;
import io.gpucloud.workflows.UsageStarter;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Usage records, their sums and their export files. Records are scoped like instances ({@link
 * Scope}): an Admin reads every record, a DomainAdmin those of its subtree, a User its own account's.
 * A filter on an account or instance the caller does not see gives an empty listing, as the events
 * listing does (nothing leaks, nothing errs). The exports are the Admin's (the resource's roles).
 */
public class UsageService {
  private static final Logger LOG = LoggerFactory.getLogger(UsageService.class);

  public static final int DEFAULT_PAGE_SIZE = 100;
  public static final int MAX_PAGE_SIZE = 1000;
  /** The name of the group of records without a card or profile (CPU-only instances). */
  public static final String NO_GPU = "(no GPU)";

  /** The groupings of the summary (query parameter groupBy). */
  public enum GroupBy { account, card, profile }

  private final Jdbi jdbi;
  private final ExportFiles files;
  private final ExportStarter exports;
  private final Clock clock;

  public UsageService(Jdbi jdbi, ExportFiles files, ExportStarter exports, Clock clock) {
    this.jdbi = jdbi;
    this.files = files;
    this.exports = exports;
    this.clock = clock;
  }

  /** A listing's filters, validated; each null when absent. Records with from <= period_start < to. */
  public record Filter(String accountId, String instanceId, UsageType type, Instant from, Instant to) {
    public static Filter of(String accountId, String instanceId, String type, String from, String to) {
      Instant f = time("from", from);
      Instant t = time("to", to);
      if (f != null && t != null && f.isAfter(t)) {
        throw ApiException.badRequest("from (" + f + ") must not be after to (" + t + ")");
      }
      return new Filter(Checks.optionalId("accountId", accountId), Checks.optionalId("instanceId", instanceId),
          usageType(type), f, t);
    }
  }

  /** One page of the records in scope, ordered by period_start, instance_id, usage_type. */
  public UsagePage list(Caller caller, Filter f, String page, String pageSize) {
    int p = intParam("page", page, 1, Integer.MAX_VALUE, 1);
    int size = intParam("pageSize", pageSize, 1, MAX_PAGE_SIZE, DEFAULT_PAGE_SIZE);
    return jdbi.inTransaction(h -> {
      Scope scope = Scope.read(h, caller);
      UsageQueries q = new UsageQueries(h);
      long total = q.count(scope, f);
      List<UsageRecordView> items = (long) (p - 1) * size >= total ? List.of()
          : q.page(scope, f, p, size).stream()
              // the SQL scoped already; the Java rule is asked too, as the instance listings do
              .filter(r -> scope.seesAccount(r.view().accountId(), r.scopePath()))
              .map(UsageQueries.Row::view)
              .toList();
      return new UsagePage(items, p, size, total);
    });
  }

  /** Sums per account, card or profile of the records in scope with from <= period_start < to (both required). */
  public List<UsageSummaryRow> summary(Caller caller, String from, String to, String groupBy) {
    if (from == null || from.isBlank()) {
      throw ApiException.badRequest("from is required (an ISO-8601 time or a date YYYY-MM-DD)");
    }
    if (to == null || to.isBlank()) {
      throw ApiException.badRequest("to is required (an ISO-8601 time or a date YYYY-MM-DD)");
    }
    Filter f = Filter.of(null, null, null, from, to);
    GroupBy by = groupBy(groupBy);
    return jdbi.withHandle(h -> new UsageQueries(h).summary(Scope.read(h, caller), f, by));
  }

  /** Starts the export of a day now (today included: the periods closed so far); not a future day. */
  public ExportStarted startExport(ExportRequest request) {
    ExportRequest req = Checks.body(request);
    LocalDate day = date("date", req.date());
    LocalDate today = LocalDate.now(clock.withZone(ZoneOffset.UTC));
    if (day.isAfter(today)) {
      throw ApiException.badRequest("date " + day + " is in the future (today is " + today + " UTC)");
    }
    UsageStarter.Start s;
    try {
      s = exports.startExport(day);
    } catch (RuntimeException e) {
      LOG.error("could not start the usage export of {}", day, e);
      throw new ApiException(503, "could not start the usage export workflow (Temporal unavailable); retry");
    }
    return new ExportStarted(s.workflowId(), s.started());
  }

  /** The recorded export files that are present in the export directory, newest day first. */
  public List<UsageExportView> exports() {
    List<UsageExportView> rows = jdbi.withHandle(h -> new UsageQueries(h).exports());
    return rows.stream().filter(r -> files.present(r.file())).toList();
  }

  // ---- parameters ----

  /** RUNNING_VM | 1 | ALLOCATED_VM | 2 (names case-insensitive); null when absent. */
  static UsageType usageType(String value) {
    if (value == null || value.isBlank()) {
      return null;
    }
    String v = value.trim();
    for (UsageType t : UsageType.values()) {
      if (t.name().equalsIgnoreCase(v) || String.valueOf(t.code()).equals(v)) {
        return t;
      }
    }
    throw ApiException.badRequest("type must be RUNNING_VM (1) or ALLOCATED_VM (2), got '" + clip(v) + "'");
  }

  static GroupBy groupBy(String value) {
    if (value == null || value.isBlank()) {
      return GroupBy.account;
    }
    try {
      return GroupBy.valueOf(value.trim().toLowerCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw ApiException.badRequest("groupBy must be one of account, card, profile, got '" + clip(value) + "'");
    }
  }

  /**
   * An ISO-8601 time with an offset (2026-12-02T10:00:00Z) or a date (2026-12-02 = that day's 00:00Z);
   * null when absent; 400 naming the field otherwise.
   */
  static Instant time(String field, String value) {
    if (value == null || value.isBlank()) {
      return null;
    }
    String v = value.trim();
    Instant t;
    try {
      t = v.length() <= 10 ? LocalDate.parse(v).atStartOfDay(ZoneOffset.UTC).toInstant()
          : OffsetDateTime.parse(v).toInstant();
    } catch (DateTimeParseException e) {
      throw ApiException.badRequest(field + " must be an ISO-8601 time with an offset (2026-12-02T10:00:00Z) or a"
          + " date (2026-12-02), got '" + clip(v) + "'");
    }
    if (t.isBefore(MIN_TIME) || t.isAfter(MAX_TIME)) {
      throw ApiException.badRequest(field + " must lie between " + MIN_TIME + " and " + MAX_TIME + ", got '"
          + clip(v) + "'");
    }
    return t;
  }

  /** What a DATETIME holds (MariaDB refuses the rest): years 1000 to 9999, UTC. */
  static final Instant MIN_TIME = Instant.parse("1000-01-01T00:00:00Z");
  static final Instant MAX_TIME = Instant.parse("9999-12-31T23:59:59Z");

  /** A required date YYYY-MM-DD. */
  static LocalDate date(String field, String value) {
    if (value == null || value.isBlank()) {
      throw ApiException.badRequest(field + " is required (a date YYYY-MM-DD)");
    }
    LocalDate d;
    try {
      d = LocalDate.parse(value.trim());
    } catch (DateTimeParseException e) {
      throw ApiException.badRequest(field + " must be a date YYYY-MM-DD, got '" + clip(value) + "'");
    }
    if (d.getYear() < 1000) {
      throw ApiException.badRequest(field + " must be a date YYYY-MM-DD from the year 1000 on, got '" + clip(value)
          + "'");
    }
    return d;
  }

  static int intParam(String field, String value, int min, int max, int dflt) {
    if (value == null || value.isBlank()) {
      return dflt;
    }
    try {
      int v = Integer.parseInt(value.trim());
      if (v >= min && v <= max) {
        return v;
      }
    } catch (NumberFormatException e) {
      // the message below
    }
    throw ApiException.badRequest(field + " must be an integer " + (max == Integer.MAX_VALUE ? ">= " + min
        : "between " + min + " and " + max) + ", got '" + clip(value) + "'");
  }

  private static String clip(String v) {
    String s = v.trim();
    return s.length() > 40 ? s.substring(0, 40) + "..." : s;
  }
}
