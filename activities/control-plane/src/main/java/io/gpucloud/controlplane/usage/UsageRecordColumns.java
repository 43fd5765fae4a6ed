package io.gpucloud.controlplane.usage;

import io.gpucloud.activities.usage.UsageType;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The exported columns of a usage record, in file order: the one list the CSV header, the JSONL keys
 * and the export query are all built from, so the two files cannot drift apart.
 */
final class UsageRecordColumns {
  /** How a value is read and written: text is quoted in JSON, numbers are not. */
  enum Kind {
    TEXT, INTEGER, HOURS, SECONDS, TIME, USAGE_TYPE;

    boolean jsonNumber() {
      return this == INTEGER || this == HOURS || this == SECONDS;
    }
  }

  /** A column: its usage_records name (and CSV header), its JSON key, its kind. */
  record Column(String name, String key, Kind kind) {}

  static final List<Column> ALL = List.of(
      new Column("instance_id", "instanceId", Kind.TEXT),
      new Column("instance_name", "instanceName", Kind.TEXT),
      new Column("account_id", "accountId", Kind.TEXT),
      new Column("account_name", "accountName", Kind.TEXT),
      new Column("domain_id", "domainId", Kind.TEXT),
      new Column("domain_path", "domainPath", Kind.TEXT),
      new Column("project_id", "projectId", Kind.TEXT),
      new Column("offering_id", "offeringId", Kind.TEXT),
      new Column("offering_name", "offeringName", Kind.TEXT),
      new Column("template_id", "templateId", Kind.TEXT),
      new Column("template_name", "templateName", Kind.TEXT),
      new Column("host_id", "hostId", Kind.TEXT),
      new Column("host_name", "hostName", Kind.TEXT),
      new Column("usage_type", "usageType", Kind.USAGE_TYPE),
      new Column("period_start", "periodStart", Kind.TIME),
      new Column("period_end", "periodEnd", Kind.TIME),
      new Column("raw_usage", "rawUsage", Kind.HOURS),
      new Column("usage_seconds", "usageSeconds", Kind.SECONDS),
      new Column("gpu_card_id", "gpuCardId", Kind.TEXT),
      new Column("gpu_card_name", "gpuCardName", Kind.TEXT),
      new Column("vgpu_profile_id", "vgpuProfileId", Kind.TEXT),
      new Column("vgpu_profile_name", "vgpuProfileName", Kind.TEXT),
      new Column("gpu_count", "gpuCount", Kind.INTEGER));

  /** ISO-8601 UTC to the second; the DATETIME columns hold UTC. */
  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss'Z'");

  private UsageRecordColumns() {}

  /** "a, b, c": the SELECT list of the export query. */
  static String selectList() {
    return ALL.stream().map(Column::name).collect(Collectors.joining(", "));
  }

  /**
   * The current row's values as they appear in the files (null for SQL NULL), read by position in
   * {@link #ALL} order: formatted once, then written to both files.
   */
  static String[] read(ResultSet rs) throws SQLException {
    String[] values = new String[ALL.size()];
    for (int i = 0; i < values.length; i++) {
      int c = i + 1;
      values[i] = switch (ALL.get(i).kind()) {
        case TEXT -> rs.getString(c);
        case INTEGER -> {
          long v = rs.getLong(c);
          yield rs.wasNull() ? null : Long.toString(v);
        }
        case HOURS -> plain(rs.getBigDecimal(c), 6);
        case SECONDS -> plain(rs.getBigDecimal(c), 3);
        case TIME -> {
          LocalDateTime t = rs.getObject(c, LocalDateTime.class);
          yield t == null ? null : TIME.format(t);
        }
        case USAGE_TYPE -> UsageType.ofCode(rs.getInt(c)).name();
      };
    }
    return values;
  }

  /** Plain notation with a fixed number of decimals (never 1E+1), whatever scale the driver returns. */
  static String plain(BigDecimal v, int scale) {
    return v == null ? null : v.setScale(scale, RoundingMode.HALF_UP).toPlainString();
  }
}
