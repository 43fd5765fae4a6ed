package io.gpucloud.service.inventory.db;

import java.util.List;
import java.util.Optional;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/** hosts, read with their GPU counts. */
@RegisterConstructorMapper(HostRow.class)
public interface HostDao {
  String SELECT =
      "SELECT h.id, h.name, h.hypervisor_uri, h.cpu_cores, h.cpu_mhz, h.memory_mb, h.numa_nodes,"
          + " h.state, h.resource_state, h.last_seen_at, h.last_discovery_at, h.created_at,"
          + " (SELECT COUNT(*) FROM gpu_devices d WHERE d.host_id = h.id AND d.type <> 'VGPU_ONLY')"
          + " AS gpu_total,"
          + " (SELECT COUNT(*) FROM gpu_devices d WHERE d.host_id = h.id AND d.type <> 'VGPU_ONLY'"
          + " AND d.state IN ('Reserved', 'Allocated')) AS gpu_used"
          + " FROM hosts h";

  @SqlQuery(SELECT + " WHERE h.id = :id")
  Optional<HostRow> findById(@Bind("id") String id);

  @SqlQuery(
      SELECT
          + " WHERE (:state IS NULL OR h.state = :state)"
          + " AND (:resourceState IS NULL OR h.resource_state = :resourceState)"
          + " AND (:name IS NULL OR h.name = :name)"
          + " ORDER BY h.name")
  List<HostRow> list(
      @Bind("state") String state, @Bind("resourceState") String resourceState, @Bind("name") String name);

  /** Sets Enabled/Disabled unless the host is in (or preparing for) Maintenance. */
  @SqlUpdate(
      "UPDATE hosts SET resource_state = :resourceState"
          + " WHERE id = :id AND resource_state IN ('Enabled', 'Disabled')")
  int setResourceState(@Bind("id") String id, @Bind("resourceState") String resourceState);
}
