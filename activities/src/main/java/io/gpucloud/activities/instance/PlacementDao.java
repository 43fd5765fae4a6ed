package io.gpucloud.activities.instance;

import java.util.Collection;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.config.RegisterRowMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.customizer.BindList;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/**
 * The statements of one placement attempt (lock, check, pick, reserve), apart from the rest of
 * {@link InstanceDao}: Jdbi's attach builds a handler for every method of the interface it
 * attaches, which on the reservation path cost as much as the statements (ReservationBench).
 */
@RegisterRowMapper(InstanceRow.Mapper.class)
@RegisterRowMapper(HeldDevice.Mapper.class)
@RegisterRowMapper(HostCandidate.Mapper.class)
@RegisterConstructorMapper(TemplateImage.class)
public interface PlacementDao {
  /** Instance states that hold CPU/RAM on their host. */
  String ON_HOST = "('Creating','Starting','Running','Stopping','Stopped','Migrating')";

  String FREE_DEVICE = "d.state = 'Free' AND d.managed_state = 'Managed' AND d.instance_id IS NULL"
      + " AND d.type <> 'VGPU_ONLY'";

  String HOST_HAS_ROOM = "h.state = 'Up' AND h.resource_state = 'Enabled'"
      + " AND h.cpu_cores * h.cpu_mhz - (SELECT COALESCE(SUM(i.cpu_cores * i.cpu_mhz), 0) FROM instances i"
      + "     WHERE i.host_id = h.id AND i.state IN " + ON_HOST + " AND i.id <> :instanceId) >= :cpuMhzTotal"
      + " AND h.memory_mb - (SELECT COALESCE(SUM(i.memory_mb), 0) FROM instances i"
      + "     WHERE i.host_id = h.id AND i.state IN " + ON_HOST + " AND i.id <> :instanceId) >= :memoryMb";

  String INSTANCE_COLUMNS = "id, vm_name, account_id, project_id, state, host_id, vgpu_profile_id, gpu_count,"
      + " cpu_cores, cpu_mhz, memory_mb, gpu_display, numa_policy, quota_counted, template_id";

  String HELD_COLUMNS = "d.id, d.bus_address, d.type, d.numa_node, d.pci_root, d.parent_device_id,"
      + " p.bus_address AS parent_bus_address, pr.name AS profile_name, d.state";

  @SqlQuery("SELECT " + INSTANCE_COLUMNS + " FROM instances WHERE id = :id")
  Optional<InstanceRow> instance(@Bind("id") String id);

  @SqlQuery("SELECT " + INSTANCE_COLUMNS + " FROM instances WHERE id = :id FOR UPDATE")
  Optional<InstanceRow> lockInstance(@Bind("id") String id);

  /**
   * Locks the host row: reservations on one host serialise here (and with discovery, which locks
   * it too). Only the host row: rows read by a locking join or subquery would be locked as well.
   */
  @SqlQuery("SELECT id FROM hosts WHERE id = :hostId FOR UPDATE")
  Optional<String> lockHost(@Bind("hostId") String hostId);

  /** The host, when it is Up, Enabled and has the CPU/RAM (plain read: call it under the host lock). */
  @SqlQuery("SELECT h.id AS host_id, h.name AS host_name, 0 AS free_devices FROM hosts h"
      + " WHERE h.id = :hostId AND " + HOST_HAS_ROOM)
  Optional<HostCandidate> hostWithRoom(@Bind("hostId") String hostId, @Bind("instanceId") String instanceId,
      @Bind("cpuMhzTotal") long cpuMhzTotal, @Bind("memoryMb") long memoryMb);

  @SqlQuery("SELECT name FROM hosts WHERE id = :hostId")
  String hostName(@Bind("hostId") String hostId);

  /**
   * The free devices of the profile on the host. A plain read, made under the host lock: no locking
   * read here, which would also lock the joined profile row that every host's reservations share.
   * A writer that does not take the host lock (the device API) is caught by reserveDevices' count.
   */
  @SqlQuery("SELECT " + HELD_COLUMNS + " FROM gpu_devices d LEFT JOIN gpu_devices p ON p.id = d.parent_device_id"
      + " LEFT JOIN vgpu_profiles pr ON pr.id = d.profile_id"
      + " WHERE d.host_id = :hostId AND d.profile_id = :profileId AND " + FREE_DEVICE
      + " ORDER BY d.bus_address")
  List<HeldDevice> availableDevices(@Bind("hostId") String hostId, @Bind("profileId") String profileId);

  @SqlQuery("SELECT " + HELD_COLUMNS + " FROM gpu_devices d LEFT JOIN gpu_devices p ON p.id = d.parent_device_id"
      + " LEFT JOIN vgpu_profiles pr ON pr.id = d.profile_id"
      + " WHERE d.instance_id = :instanceId AND d.host_id = :hostId ORDER BY d.bus_address")
  List<HeldDevice> heldDevices(@Bind("instanceId") String instanceId, @Bind("hostId") String hostId);

  @SqlUpdate("UPDATE gpu_devices SET state = 'Reserved', instance_id = :instanceId"
      + " WHERE id IN (<ids>) AND state = 'Free' AND instance_id IS NULL AND managed_state = 'Managed'")
  int reserveDevices(@Bind("instanceId") String instanceId, @BindList("ids") Collection<String> ids);

  @SqlUpdate("UPDATE instances SET host_id = :hostId, quota_counted = 1 WHERE id = :instanceId")
  void placeOn(@Bind("instanceId") String instanceId, @Bind("hostId") String hostId);

  @SqlQuery("SELECT name, os_type, image_path, root_disk_gb FROM templates WHERE id = :id")
  Optional<TemplateImage> template(@Bind("id") String id);
}
