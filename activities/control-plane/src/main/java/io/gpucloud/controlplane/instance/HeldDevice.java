package io.gpucloud.controlplane.instance;

import io.gpucloud.activities.model.DeviceType;
import java.sql.ResultSet;
import java.sql.SQLException;
import org.jdbi.v3.core.mapper.RowMapper;
import org.jdbi.v3.core.statement.StatementContext;

/** A device row joined with its profile name, parent and physical GPU, as reservation reads it. */
public record HeldDevice(
    String id,
    String busAddress,
    DeviceType type,
    int numaNode,
    String pciRoot,
    String parentDeviceId,
    String parentBusAddress,
    String profileName,
    String state,
    String gpuId,
    String gpuBusAddress) {
  /** Reads the row by column name (see InstanceRow.Mapper for why not a ConstructorMapper). */
  public static final class Mapper implements RowMapper<HeldDevice> {
    @Override
    public HeldDevice map(ResultSet rs, StatementContext ctx) throws SQLException {
      return new HeldDevice(rs.getString("id"), rs.getString("bus_address"), DeviceType.valueOf(rs.getString("type")),
          rs.getInt("numa_node"), rs.getString("pci_root"), rs.getString("parent_device_id"),
          rs.getString("parent_bus_address"), rs.getString("profile_name"), rs.getString("state"),
          rs.getString("gpu_id"), rs.getString("gpu_bus_address"));
    }
  }
}
