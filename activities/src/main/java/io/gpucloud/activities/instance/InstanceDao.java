package io.gpucloud.activities.instance;

import io.gpucloud.activities.model.GpuDevice;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.customizer.BindList;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/** The SQL of deploy steps: host filter, locking reads, conditional state changes. */
@RegisterConstructorMapper(InstanceRow.class)
@RegisterConstructorMapper(HeldDevice.class)
@RegisterConstructorMapper(HostCandidate.class)
@RegisterConstructorMapper(TemplateImage.class)
@RegisterConstructorMapper(GpuDevice.class)
public interface InstanceDao {
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

  @SqlQuery("SELECT " + INSTANCE_COLUMNS + " FROM instances WHERE id = :id")
  Optional<InstanceRow> instance(@Bind("id") String id);

  @SqlQuery("SELECT " + INSTANCE_COLUMNS + " FROM instances WHERE id = :id FOR UPDATE")
  Optional<InstanceRow> lockInstance(@Bind("id") String id);

  /** What instances use of each host's CPU and RAM, one pass over the instances on hosts. */
  String HOST_USAGE = "(SELECT i.host_id, SUM(i.cpu_cores * i.cpu_mhz) AS cpu, SUM(i.memory_mb) AS mem"
      + " FROM instances i WHERE i.host_id IS NOT NULL AND i.state IN " + ON_HOST + " AND i.id <> :instanceId"
      + " GROUP BY i.host_id) u ON u.host_id = h.id";

  String HOST_FITS = "h.state = 'Up' AND h.resource_state = 'Enabled'"
      + " AND h.cpu_cores * h.cpu_mhz - COALESCE(u.cpu, 0) >= :cpuMhzTotal"
      + " AND h.memory_mb - COALESCE(u.mem, 0) >= :memoryMb";

  /**
   * Hosts with at least :count free devices of the profile and room for the CPU/RAM, best fit first
   * (fewest free), ties shuffled so concurrent deploys spread instead of queueing on one host lock.
   * Used through PlanCache, so one such count serves many plans.
   */
  @SqlQuery("SELECT h.id AS host_id, h.name AS host_name, f.free AS free_devices FROM hosts h"
      + " JOIN (SELECT d.host_id, COUNT(*) AS free FROM gpu_devices d WHERE d.profile_id = :profileId AND "
      + FREE_DEVICE + " GROUP BY d.host_id HAVING COUNT(*) >= :count) f ON f.host_id = h.id"
      + " LEFT JOIN " + HOST_USAGE
      + " WHERE " + HOST_FITS + " AND h.id NOT IN (<excluded>)"
      + " ORDER BY f.free, RAND() LIMIT :limit")
  List<HostCandidate> gpuHosts(@Bind("instanceId") String instanceId, @Bind("profileId") String profileId,
      @Bind("count") int count, @Bind("cpuMhzTotal") long cpuMhzTotal, @Bind("memoryMb") long memoryMb,
      @BindList("excluded") List<String> excluded, @Bind("limit") int limit);

  @SqlQuery("SELECT h.id AS host_id, h.name AS host_name, 0 AS free_devices FROM hosts h LEFT JOIN " + HOST_USAGE
      + " WHERE " + HOST_FITS + " AND h.id NOT IN (<excluded>)"
      + " ORDER BY h.memory_mb - COALESCE(u.mem, 0), RAND() LIMIT :limit")
  List<HostCandidate> plainHosts(@Bind("instanceId") String instanceId, @Bind("cpuMhzTotal") long cpuMhzTotal,
      @Bind("memoryMb") long memoryMb,
      @BindList("excluded") List<String> excluded,
      @Bind("limit") int limit);

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

  String HELD_COLUMNS = "d.id, d.bus_address, d.type, d.numa_node, d.pci_root, d.parent_device_id,"
      + " p.bus_address AS parent_bus_address, pr.name AS profile_name, d.state";

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

  @SqlUpdate("UPDATE gpu_devices SET state = 'Allocated' WHERE instance_id = :instanceId AND host_id = :hostId"
      + " AND state = 'Reserved'")
  int allocateDevices(@Bind("instanceId") String instanceId, @Bind("hostId") String hostId);

  /** Frees what the instance holds (on one host, or anywhere when hostId is null); Error devices stay Error. */
  @SqlUpdate("UPDATE gpu_devices SET state = IF(state = 'Error', 'Error', 'Free'), instance_id = NULL"
      + " WHERE instance_id = :instanceId AND (:hostId IS NULL OR host_id = :hostId)")
  int freeDevices(@Bind("instanceId") String instanceId, @Bind("hostId") String hostId);

  @SqlQuery("SELECT DISTINCT parent_device_id FROM gpu_devices WHERE instance_id = :instanceId"
      + " AND parent_device_id IS NOT NULL AND (:hostId IS NULL OR host_id = :hostId)")
  List<String> parentsOfHeld(@Bind("instanceId") String instanceId, @Bind("hostId") String hostId);

  @SqlQuery("SELECT * FROM gpu_devices WHERE parent_device_id = :parentId")
  List<GpuDevice> children(@Bind("parentId") String parentId);

  /** Parent state derived from its children; a GPU that went missing keeps its own Error. */
  @SqlUpdate("UPDATE gpu_devices SET state = :state, error_reason = IF(:state = 'Error', error_reason, NULL)"
      + " WHERE id = :id AND type = 'VGPU_ONLY' AND NOT (state = 'Error' AND error_reason LIKE 'missing%')")
  void setParentState(@Bind("id") String id, @Bind("state") String state);

  @SqlUpdate("UPDATE instances SET host_id = :hostId, quota_counted = 1 WHERE id = :instanceId")
  void placeOn(@Bind("instanceId") String instanceId, @Bind("hostId") String hostId);

  @SqlUpdate("UPDATE instances SET host_id = NULL WHERE id = :instanceId"
      + " AND (:hostId IS NULL OR host_id = :hostId) AND state = 'Creating'")
  void unplace(@Bind("instanceId") String instanceId, @Bind("hostId") String hostId);

  @SqlUpdate("UPDATE instances SET state = 'Running', error_reason = NULL WHERE id = :id AND state = 'Creating'"
      + " AND host_id = :hostId")
  int markRunning(@Bind("id") String id, @Bind("hostId") String hostId);

  @SqlUpdate("UPDATE instances SET state = 'Error', error_reason = :reason, quota_counted = 0, host_id = NULL"
      + " WHERE id = :id AND state = 'Creating'")
  int markError(@Bind("id") String id, @Bind("reason") String reason);

  @SqlQuery("SELECT name, os_type, image_path, root_disk_gb FROM templates WHERE id = :id")
  Optional<TemplateImage> template(@Bind("id") String id);
}
