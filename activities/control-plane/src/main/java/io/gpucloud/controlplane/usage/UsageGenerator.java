package io.gpucloud.controlplane.usage;

import io.gpucloud.activities.usage.UsagePeriodResult;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Optional;
import org.jdbi.v3.core.Handle;

/**
 * The SQL of one usage period: every instance's records computed from instance_state_changes in three
 * set-based INSERT ... SELECTs over the connection's temporary tables (no per-instance round trips), and
 * the period's usage_periods row.
 * Times are bound as UTC text and compared in a UTC session, so neither the JVM's nor the server's
 * time zone can shift a period.
 */
final class UsageGenerator {
  /** Microsecond UTC text, e.g. 2026-12-02 10:00:00.000000, as DATETIME(6) literals take it. */
  private static final DateTimeFormatter SQL_TIME =
      DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss.SSSSSS").withZone(ZoneOffset.UTC);

  /**
   * Step 1, the segments of every instance's history in the period: its last change before the period
   * (its state at the start; ids grow in time order for one instance, so MAX(id) is the last) and its
   * changes inside. LEAD gives each segment's end (the period's end for the last one); the first is
   * clipped to the start. Into a temporary table keyed by (instance, id): grouping it is then an
   * ordered scan, where grouping the window's output directly made MariaDB sort it in a disk table
   * (3 times slower at 100,000 instances).
   */
  private static final String SEGMENTS = """
      INSERT INTO usage_segments (instance_id, id, state, host_id, seg_start, seg_end)
      SELECT x.instance_id, x.id, x.state, x.host_id,
        GREATEST(x.changed_at, CAST(:start AS DATETIME(6))),
        COALESCE(LEAD(x.changed_at) OVER (PARTITION BY x.instance_id ORDER BY x.changed_at, x.id),
          CAST(:end AS DATETIME(6)))
      FROM (
        SELECT c.instance_id, c.id, c.state, c.host_id, c.changed_at
        FROM (SELECT MAX(id) id FROM instance_state_changes
              WHERE changed_at < CAST(:start AS DATETIME(6)) GROUP BY instance_id) last
        JOIN instance_state_changes c ON c.id = last.id
        UNION ALL
        SELECT instance_id, id, state, host_id, changed_at FROM instance_state_changes
        WHERE changed_at >= CAST(:start AS DATETIME(6)) AND changed_at < CAST(:end AS DATETIME(6))
      ) x
      """;

  /**
   * Step 2, per instance that existed in the period (a non-Destroyed segment of positive length: one
   * destroyed before the start, or created at or after the end, has none): microseconds Running or
   * Rebooting (RUNNING_VM), microseconds in any state but Destroyed and Queued (ALLOCATED_VM: a queued request holds nothing), and the host of the
   * latest segment that had one (the id, zero-padded, orders the CONCAT).
   */
  private static final String TOTALS = """
      INSERT INTO usage_totals (instance_id, running_us, allocated_us, host_id)
      SELECT instance_id,
        SUM(IF(state IN ('Running', 'Rebooting'), TIMESTAMPDIFF(MICROSECOND, seg_start, seg_end), 0)),
        SUM(IF(state NOT IN ('Destroyed', 'Queued'), TIMESTAMPDIFF(MICROSECOND, seg_start, seg_end), 0)),
        SUBSTRING(MAX(IF(host_id IS NULL, NULL, CONCAT(LPAD(id, 20, '0'), host_id))), 21)
      FROM usage_segments
      GROUP BY instance_id
      HAVING SUM(state NOT IN ('Destroyed', 'Queued') AND seg_end > seg_start) > 0
      """;

  /**
   * Step 3, both records of each instance with the snapshot of its names. Hours and seconds come from
   * exact microseconds; the CAST keeps MariaDB's division from cutting to 4 decimals before the ROUND.
   * LEFT JOINs: an offering, template or profile may have been deleted since.
   */
  private static final String RECORDS = """
      INSERT IGNORE INTO usage_records (instance_id, usage_type, period_start, period_end, raw_usage, usage_seconds,
        instance_name, account_id, account_name, domain_id, domain_path, project_id, offering_id, offering_name,
        template_id, template_name, host_id, host_name, gpu_card_id, gpu_card_name, vgpu_profile_id,
        vgpu_profile_name, gpu_count)
      SELECT u.instance_id, t.code, CAST(:start AS DATETIME), CAST(:end AS DATETIME),
        ROUND(CAST(IF(t.code = 1, u.running_us, u.allocated_us) AS DECIMAL(24,6)) / 3600000000, 6),
        ROUND(CAST(IF(t.code = 1, u.running_us, u.allocated_us) AS DECIMAL(24,6)) / 1000000, 3),
        i.name, a.id, a.name, d.id, d.path, i.project_id, o.id, o.name, tp.id, tp.name, h.id, h.name,
        c.id, c.name, p.id, p.name, i.gpu_count
      FROM usage_totals u
      JOIN (SELECT 1 code UNION ALL SELECT 2) t
      JOIN instances i ON i.id = u.instance_id
      JOIN accounts a ON a.id = i.account_id
      JOIN domains d ON d.id = a.domain_id
      LEFT JOIN offerings o ON o.id = i.offering_id
      LEFT JOIN templates tp ON tp.id = i.template_id
      LEFT JOIN hosts h ON h.id = u.host_id
      LEFT JOIN vgpu_profiles p ON p.id = i.vgpu_profile_id
      LEFT JOIN gpu_cards c ON c.id = p.card_id
      """;

  private UsageGenerator() {}

  static String sqlTime(Instant t) {
    return SQL_TIME.format(t);
  }

  /** Pins the session to UTC (what the service's pool sets anyway): TIMESTAMP columns then read as UTC. */
  static void utc(Handle h) {
    h.execute("SET time_zone = '+00:00'");
  }

  /** The database's clock (NOW(6)), in a UTC session: the clock the state change times come from. */
  static Instant now(Handle h) {
    return h.createQuery("SELECT NOW(6)").mapTo(LocalDateTime.class).one().toInstant(ZoneOffset.UTC);
  }

  /** The period's usage_periods row, when it was generated. */
  static Optional<UsagePeriodResult> generated(Handle h, Instant start) {
    return h.createQuery("SELECT period_end, instances, records FROM usage_periods WHERE period_start = :start")
        .bind("start", sqlTime(start))
        .map((rs, ctx) -> new UsagePeriodResult(start,
            rs.getObject(1, LocalDateTime.class).toInstant(ZoneOffset.UTC), rs.getInt(2), 0, rs.getInt(3)))
        .findOne();
  }

  /** Writes the period's records and its usage_periods row; returns what it wrote. */
  static UsagePeriodResult generate(Handle h, Instant start, Instant end, String workflowId) {
    int written;
    // temporary tables are the connection's own: concurrent generations never see each other's
    dropScratch(h);
    try {
      h.execute("CREATE TEMPORARY TABLE usage_segments (instance_id CHAR(36) NOT NULL, id BIGINT NOT NULL,"
          + " state VARCHAR(16) NOT NULL, host_id CHAR(36) NULL, seg_start DATETIME(6) NOT NULL,"
          + " seg_end DATETIME(6) NOT NULL, PRIMARY KEY (instance_id, id)) ENGINE=InnoDB");
      h.execute("CREATE TEMPORARY TABLE usage_totals (instance_id CHAR(36) NOT NULL PRIMARY KEY,"
          + " running_us BIGINT NOT NULL, allocated_us BIGINT NOT NULL, host_id CHAR(36) NULL) ENGINE=InnoDB");
      h.createUpdate(SEGMENTS).bind("start", sqlTime(start)).bind("end", sqlTime(end)).execute();
      h.createUpdate(TOTALS).execute();
      written = h.createUpdate(RECORDS).bind("start", sqlTime(start)).bind("end", sqlTime(end)).execute();
    } finally {
      dropScratch(h);
    }
    // counted from the table, not from `written`: a concurrent run may have written some of them
    int[] counts = h.createQuery("SELECT COUNT(DISTINCT instance_id), COUNT(*) FROM usage_records"
            + " WHERE period_start = :start").bind("start", sqlTime(start))
        .map((rs, ctx) -> new int[] {rs.getInt(1), rs.getInt(2)}).one();
    h.createUpdate("INSERT IGNORE INTO usage_periods (period_start, period_end, instances, records, workflow_id)"
            + " VALUES (:start, :end, :instances, :records, :workflowId)")
        .bind("start", sqlTime(start)).bind("end", sqlTime(end)).bind("instances", counts[0])
        .bind("records", counts[1]).bind("workflowId", workflowId).execute();
    return new UsagePeriodResult(start, end, counts[0], written, counts[1]);
  }

  private static void dropScratch(Handle h) {
    h.execute("DROP TEMPORARY TABLE IF EXISTS usage_segments, usage_totals");
  }

  /** Starts of the day's periods (from {@code from} to {@code to}, exclusive) that have a usage_periods row. */
  static java.util.Set<Instant> generatedBetween(Handle h, Instant from, Instant to) {
    return h.createQuery("SELECT period_start FROM usage_periods WHERE period_start >= :from AND period_start < :to")
        .bind("from", sqlTime(from)).bind("to", sqlTime(to))
        .map((rs, ctx) -> rs.getObject(1, LocalDateTime.class).toInstant(ZoneOffset.UTC))
        .collect(java.util.stream.Collectors.toSet());
  }
}
