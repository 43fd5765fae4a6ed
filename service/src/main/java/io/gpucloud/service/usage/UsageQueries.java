package io.gpucloud.service.usage;

import io.gpucloud.activities.usage.UsageType;
import io.gpucloud.service.auth.Scope;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.List;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.Query;

/**
 * The usage reads, plain SQL on the caller's handle. Scope: a record belongs to the domain it was
 * generated in (domain_id); its live path (domains d, so a renamed domain is scoped by its new path,
 * as the caller's own path is) decides, and the record's snapshot domain_path only once that domain no
 * longer exists. A User is narrowed to its own account. DATETIME columns are UTC and are bound and
 * read as LocalDateTime, so no JVM or session time zone converts them.
 */
final class UsageQueries {
  /** {@link Scope#SQL_IN_LIST_PREFIX} on the record's effective path (live, else snapshot). */
  static final String IN_SCOPE_PATH;

  static {
    String live = Scope.SQL_IN_LIST_PREFIX;
    IN_SCOPE_PATH = live.replace("d.path", "COALESCE(d.path, r.domain_path)");
    if (IN_SCOPE_PATH.equals(live)) {
      throw new IllegalStateException("Scope.SQL_IN_LIST_PREFIX no longer names d.path: " + live);
    }
  }

  private static final String FROM = " FROM usage_records r LEFT JOIN domains d ON d.id = r.domain_id";

  private static final String WHERE = " WHERE " + IN_SCOPE_PATH
      + " AND (:onlyAccount IS NULL OR r.account_id = :onlyAccount)"
      + " AND (:accountId IS NULL OR r.account_id = :accountId)"
      + " AND (:instanceId IS NULL OR r.instance_id = :instanceId)"
      + " AND (:type IS NULL OR r.usage_type = :type)"
      + " AND (:from IS NULL OR r.period_start >= :from)"
      + " AND (:to IS NULL OR r.period_start < :to)";

  private static final String COLUMNS = "SELECT r.instance_id, r.instance_name, r.account_id, r.account_name,"
      + " r.domain_id, r.domain_path, COALESCE(d.path, r.domain_path) AS scope_path, r.project_id, r.offering_id,"
      + " r.offering_name, r.template_id, r.template_name, r.host_id, r.host_name, r.usage_type, r.period_start,"
      + " r.period_end, r.raw_usage, r.usage_seconds, r.gpu_card_id, r.gpu_card_name, r.vgpu_profile_id,"
      + " r.vgpu_profile_name, r.gpu_count";

  /** A record with the effective path its scope was decided on. */
  record Row(UsageRecordView view, String scopePath) {}

  private final Handle h;

  UsageQueries(Handle h) {
    this.h = h;
  }

  long count(Scope scope, UsageService.Filter f) {
    return bind(h.createQuery("SELECT COUNT(*)" + FROM + WHERE), scope, f).mapTo(Long.class).one();
  }

  List<Row> page(Scope scope, UsageService.Filter f, int page, int pageSize) {
    boolean admin = scope.isAdmin();
    return bind(h.createQuery(COLUMNS + FROM + WHERE
            + " ORDER BY r.period_start, r.instance_id, r.usage_type LIMIT :limit OFFSET :offset"), scope, f)
        .bind("limit", pageSize).bind("offset", (long) (page - 1) * pageSize)
        .map((rs, ctx) -> new Row(record(rs, admin), rs.getString("scope_path")))
        .list();
  }

  /** The sums per group of the records in scope in [from, to), ordered by name. */
  List<UsageSummaryRow> summary(Scope scope, UsageService.Filter f, UsageService.GroupBy by) {
    String id;
    String name;
    String join;
    switch (by) {
      case account -> {
        id = "r.account_id";
        name = "COALESCE(MAX(a.name), MAX(r.account_name))";
        join = " LEFT JOIN accounts a ON a.id = r.account_id";
      }
      case card -> {
        id = "r.gpu_card_id";
        name = "CASE WHEN r.gpu_card_id IS NULL THEN '" + UsageService.NO_GPU + "'"
            + " ELSE COALESCE(MAX(c.name), MAX(r.gpu_card_name), r.gpu_card_id) END";
        join = " LEFT JOIN gpu_cards c ON c.id = r.gpu_card_id";
      }
      case profile -> {
        id = "r.vgpu_profile_id";
        name = "CASE WHEN r.vgpu_profile_id IS NULL THEN '" + UsageService.NO_GPU + "'"
            + " ELSE COALESCE(MAX(p.name), MAX(r.vgpu_profile_name), r.vgpu_profile_id) END";
        join = " LEFT JOIN vgpu_profiles p ON p.id = r.vgpu_profile_id";
      }
      default -> throw new IllegalArgumentException(String.valueOf(by));
    }
    int running = UsageType.RUNNING_VM.code();
    int allocated = UsageType.ALLOCATED_VM.code();
    String sql = "SELECT " + id + " AS gid, " + name + " AS gname, COUNT(DISTINCT r.instance_id) AS instances,"
        + " COALESCE(SUM(CASE WHEN r.usage_type = " + running + " THEN r.raw_usage END), 0) AS running_hours,"
        + " COALESCE(SUM(CASE WHEN r.usage_type = " + allocated + " THEN r.raw_usage END), 0) AS allocated_hours,"
        + " COALESCE(SUM(CASE WHEN r.usage_type = " + running + " THEN r.raw_usage * r.gpu_count END), 0)"
        + " AS gpu_hours,"
        + " COALESCE(SUM(CASE WHEN r.usage_type = " + allocated + " THEN r.raw_usage * r.gpu_count END), 0)"
        + " AS allocated_gpu_hours"
        + FROM + join + WHERE + " GROUP BY " + id + " ORDER BY gname, gid";
    return bind(h.createQuery(sql), scope, f)
        .map((rs, ctx) -> new UsageSummaryRow(by.name(), rs.getString("gid"), rs.getString("gname"),
            rs.getLong("instances"), hours(rs, "running_hours"), hours(rs, "allocated_hours"),
            hours(rs, "gpu_hours"), hours(rs, "allocated_gpu_hours")))
        .list();
  }

  /** The usage_exports rows, newest day first. */
  List<UsageExportView> exports() {
    return h.createQuery("SELECT file, day, `rows`, bytes, sha256, written_at FROM usage_exports"
            + " ORDER BY day DESC, file")
        .map((rs, ctx) -> {
          LocalDate day = rs.getObject("day", LocalDate.class);
          Timestamp at = rs.getTimestamp("written_at");
          return new UsageExportView(rs.getString("file"), day == null ? null : day.toString(), rs.getLong("rows"),
              rs.getLong("bytes"), rs.getString("sha256"), at == null ? null : at.toInstant().toString());
        })
        .list();
  }

  private static Query bind(Query q, Scope scope, UsageService.Filter f) {
    return q.bind("prefix", scope.listPrefix()).bind("onlyAccount", scope.onlyAccount())
        .bind("accountId", f.accountId()).bind("instanceId", f.instanceId())
        .bind("type", f.type() == null ? null : f.type().code())
        .bind("from", f.from() == null ? null : LocalDateTime.ofInstant(f.from(), ZoneOffset.UTC))
        .bind("to", f.to() == null ? null : LocalDateTime.ofInstant(f.to(), ZoneOffset.UTC));
  }

  private static UsageRecordView record(ResultSet rs, boolean admin) throws SQLException {
    return new UsageRecordView(rs.getString("instance_id"), rs.getString("instance_name"),
        rs.getString("account_id"), rs.getString("account_name"), rs.getString("domain_id"),
        rs.getString("domain_path"), rs.getString("project_id"), rs.getString("offering_id"),
        rs.getString("offering_name"), rs.getString("template_id"), rs.getString("template_name"),
        admin ? rs.getString("host_id") : null, admin ? rs.getString("host_name") : null,
        UsageType.ofCode(rs.getInt("usage_type")).name(), utc(rs, "period_start"), utc(rs, "period_end"),
        scaled(rs.getBigDecimal("raw_usage"), 6), scaled(rs.getBigDecimal("usage_seconds"), 3),
        rs.getString("gpu_card_id"), rs.getString("gpu_card_name"), rs.getString("vgpu_profile_id"),
        rs.getString("vgpu_profile_name"), rs.getInt("gpu_count"));
  }

  /** A UTC DATETIME as ISO-8601 (2026-12-02T10:00:00Z). */
  private static String utc(ResultSet rs, String column) throws SQLException {
    LocalDateTime t = rs.getObject(column, LocalDateTime.class);
    return t == null ? null : t.toInstant(ZoneOffset.UTC).toString();
  }

  private static BigDecimal hours(ResultSet rs, String column) throws SQLException {
    return scaled(rs.getBigDecimal(column), 6);
  }

  static BigDecimal scaled(BigDecimal v, int scale) {
    return (v == null ? BigDecimal.ZERO : v).setScale(scale, RoundingMode.HALF_UP);
  }
}
