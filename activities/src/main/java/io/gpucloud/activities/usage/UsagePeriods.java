package io.gpucloud.activities.usage;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

/**
 * Period arithmetic in UTC (no daylight saving: every day has 86,400 s). A period length must
 * divide a day, so periods align with midnight and a day holds a whole number of them.
 */
public record UsagePeriods(Duration length) {
  private static final long DAY = Duration.ofDays(1).toSeconds();
  private static final DateTimeFormatter ID_TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss'Z'").withZone(ZoneOffset.UTC);

  public UsagePeriods {
    validate(length);
  }

  /** Throws naming what is wrong unless {@code length} is a whole number of seconds dividing a day. */
  public static void validate(Duration length) {
    if (length == null || length.isNegative() || length.isZero()) {
      throw new IllegalArgumentException("usage period must be positive, got " + length);
    }
    if (length.getNano() != 0 || DAY % length.toSeconds() != 0) {
      throw new IllegalArgumentException(
          "usage period " + length + " must divide a day (86400 s) into whole seconds, e.g. PT1M, PT15M, PT1H");
    }
  }

  /** Start of the period that contains {@code t}. */
  public Instant floor(Instant t) {
    long s = length.toSeconds();
    return Instant.ofEpochSecond(Math.floorDiv(t.getEpochSecond(), s) * s);
  }

  public Instant end(Instant start) {
    return start.plus(length);
  }

  /** Start of the newest period that has closed at {@code now} (its end is at or before now). */
  public Instant lastClosed(Instant now) {
    return floor(now).minus(length);
  }

  /** Starts of the periods of a UTC day, in order. */
  public List<Instant> ofDay(LocalDate day) {
    Instant first = day.atStartOfDay(ZoneOffset.UTC).toInstant();
    long n = DAY / length.toSeconds();
    List<Instant> starts = new ArrayList<>((int) n);
    for (long i = 0; i < n; i++) {
      starts.add(first.plus(length.multipliedBy(i)));
    }
    return starts;
  }

  /** Workflow id of a period's usage run: {@code usage-2026-12-02T10:00:00Z}. */
  public static String workflowId(Instant periodStart) {
    return "usage-" + ID_TIME.format(periodStart);
  }

  /** Workflow id of a day's export: {@code usage-export-2026-12-02}. */
  public static String exportWorkflowId(LocalDate day) {
    return "usage-export-" + day;
  }

  /** Workflow id of a host's scheduled discovery: {@code discover-H1-2026-12-02T10:00:00Z}. */
  public static String discoveryWorkflowId(String hostName, Instant periodStart) {
    return "discover-" + hostName + "-" + ID_TIME.format(periodStart);
  }

  /** The export file names of a day. */
  public static List<String> exportFiles(LocalDate day) {
    String base = "usage-" + day;
    return List.of(base + ".csv", base + ".jsonl", base + ".sha256");
  }
}
