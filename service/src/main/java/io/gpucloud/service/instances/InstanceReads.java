package io.gpucloud.service.instances;

import io.gpucloud.service.auth.Scope;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.mapper.RowMapper;
import org.jdbi.v3.core.statement.StatementContext;

/**
 * The instance views of the API, scoped by the caller, on the caller's handle. Jdbi's fluent API
 * with written-out row mappers rather than a SqlObject: tenants poll GET /instances/{id} while a
 * deploy runs, and attaching a SqlObject (a handler and a configuration per interface method) plus
 * a ConstructorMapper specialised per result set cost more CPU than the two queries.
 */
final class InstanceReads {
  private static final String SELECT = "SELECT i.id, i.name, i.vm_name, i.state, i.error_reason, i.account_id,"
      + " a.name AS account_name, d.path AS domain_path, i.project_id, i.offering_id, o.name AS offering_name,"
      + " i.template_id, i.cpu_cores, i.cpu_mhz, i.memory_mb, i.gpu_count, c.name AS card_name,"
      + " p.name AS profile_name, i.workflow_id, i.created_at, i.host_id, h.name AS host_name"
      + " FROM instances i JOIN accounts a ON a.id = i.account_id JOIN domains d ON d.id = a.domain_id"
      + " LEFT JOIN offerings o ON o.id = i.offering_id LEFT JOIN vgpu_profiles p ON p.id = i.vgpu_profile_id"
      + " LEFT JOIN gpu_cards c ON c.id = p.card_id LEFT JOIN hosts h ON h.id = i.host_id";

  /** What the caller sees (see {@link Scope}): its subtree's instances, and for a User its own account's. */
  private static final String IN_SCOPE = " " + Scope.SQL_IN_LIST_PREFIX
      + " AND (:onlyAccount IS NULL OR i.account_id = :onlyAccount)";

  private static final RowMapper<InstanceViewRow> INSTANCE = InstanceReads::instance;
  private static final RowMapper<DeviceOfInstance> DEVICE = (rs, ctx) -> new DeviceOfInstance(rs.getString("id"),
      rs.getString("instance_id"), rs.getString("type"), rs.getString("card_name"), rs.getString("profile_name"),
      rs.getString("bus_address"), rs.getInt("numa_node"), rs.getString("state"));

  private final Handle h;

  InstanceReads(Handle h) {
    this.h = h;
  }

  /** The instances in scope in {@code state}; with a null state, all but the Destroyed ones. */
  List<InstanceViewRow> list(Scope scope, String state) {
    return h.createQuery(SELECT + " WHERE" + IN_SCOPE
            + " AND ((:state IS NULL AND i.state <> 'Destroyed') OR i.state = :state)"
            + " ORDER BY i.created_at DESC, i.id")
        .bind("prefix", scope.listPrefix()).bind("onlyAccount", scope.onlyAccount()).bind("state", state)
        .map(INSTANCE).list();
  }

  Optional<InstanceViewRow> get(String id, Scope scope) {
    return h.createQuery(SELECT + " WHERE i.id = :id AND" + IN_SCOPE)
        .bind("id", id).bind("prefix", scope.listPrefix()).bind("onlyAccount", scope.onlyAccount())
        .map(INSTANCE).findOne();
  }

  /** The instance a deploy request has just inserted, in its own transaction (no scope to apply). */
  InstanceViewRow inserted(String id) {
    return h.createQuery(SELECT + " WHERE i.id = :id").bind("id", id).map(INSTANCE).one();
  }

  List<DeviceOfInstance> devicesOf(List<String> instanceIds) {
    return h.createQuery("SELECT d.id, d.instance_id, d.type, c.name AS card_name, p.name AS profile_name,"
            + " d.bus_address, d.numa_node, d.state FROM gpu_devices d JOIN gpu_cards c ON c.id = d.card_id"
            + " LEFT JOIN vgpu_profiles p ON p.id = d.profile_id WHERE d.instance_id IN (<ids>)"
            + " ORDER BY d.bus_address")
        .bindList("ids", instanceIds).map(DEVICE).list();
  }

  private static InstanceViewRow instance(ResultSet rs, StatementContext ctx) throws SQLException {
    Timestamp created = rs.getTimestamp("created_at");
    return new InstanceViewRow(rs.getString("id"), rs.getString("name"), rs.getString("vm_name"), rs.getString("state"),
        rs.getString("error_reason"), rs.getString("account_id"), rs.getString("account_name"),
        rs.getString("domain_path"), rs.getString("project_id"), rs.getString("offering_id"),
        rs.getString("offering_name"), rs.getString("template_id"), rs.getInt("cpu_cores"), rs.getInt("cpu_mhz"),
        rs.getLong("memory_mb"), rs.getInt("gpu_count"), rs.getString("card_name"), rs.getString("profile_name"),
        rs.getString("workflow_id"), created == null ? null : created.toInstant(), rs.getString("host_id"),
        rs.getString("host_name"));
  }
}
