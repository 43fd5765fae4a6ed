package io.gpucloud.controlplane.instance;

import java.sql.ResultSet;
import java.sql.SQLException;
import org.jdbi.v3.core.mapper.RowMapper;
import org.jdbi.v3.core.statement.StatementContext;

/**
 * The instance columns a placement step needs. {@code gpusReleased}: the instance gave its devices back at
 * stop, so its GPUs do not count against its limits until a start reserves again.
 */
public record InstanceRow(
    String id,
    String vmName,
    String accountId,
    String projectId,
    String state,
    String hostId,
    String vgpuProfileId,
    int gpuCount,
    int cpuCores,
    int cpuMhz,
    long memoryMb,
    boolean gpuDisplay,
    String numaPolicy,
    boolean quotaCounted,
    String templateId,
    boolean gpusReleased) {
  /**
   * Reads the row by column name. Written out rather than a ConstructorMapper, which builds a
   * specialised mapper for every result set: measurable on the reservation path (ReservationBench).
   */
  public static final class Mapper implements RowMapper<InstanceRow> {
    @Override
    public InstanceRow map(ResultSet rs, StatementContext ctx) throws SQLException {
      return new InstanceRow(rs.getString("id"), rs.getString("vm_name"), rs.getString("account_id"),
          rs.getString("project_id"), rs.getString("state"), rs.getString("host_id"), rs.getString("vgpu_profile_id"),
          rs.getInt("gpu_count"), rs.getInt("cpu_cores"), rs.getInt("cpu_mhz"), rs.getLong("memory_mb"),
          rs.getBoolean("gpu_display"), rs.getString("numa_policy"), rs.getBoolean("quota_counted"),
          rs.getString("template_id"), rs.getBoolean("gpus_released"));
    }
  }
}
