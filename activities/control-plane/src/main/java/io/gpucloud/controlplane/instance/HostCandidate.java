package io.gpucloud.controlplane.instance;

import java.sql.ResultSet;
import java.sql.SQLException;
import org.jdbi.v3.core.mapper.RowMapper;
import org.jdbi.v3.core.statement.StatementContext;

/** A host that passed the filter for one instance, with how many matching devices it had free. */
public record HostCandidate(String hostId, String hostName, int freeDevices) {
  /** Reads the row by column name (see InstanceRow.Mapper for why not a ConstructorMapper). */
  public static final class Mapper implements RowMapper<HostCandidate> {
    @Override
    public HostCandidate map(ResultSet rs, StatementContext ctx) throws SQLException {
      return new HostCandidate(rs.getString("host_id"), rs.getString("host_name"), rs.getInt("free_devices"));
    }
  }
}
