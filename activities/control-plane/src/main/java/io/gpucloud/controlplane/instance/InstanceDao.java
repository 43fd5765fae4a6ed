package io.gpucloud.controlplane.instance;

import io.gpucloud.activities.instance.TemplateImage;
import io.gpucloud.activities.model.GpuDevice;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.config.RegisterRowMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.customizer.BindList;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/**
 * The SQL of deploy steps: host filter, locking reads, conditional state changes. The statements of
 * one placement attempt are in {@link PlacementStatements}.
 */
@RegisterRowMapper(InstanceRow.Mapper.class)
@RegisterRowMapper(HeldDevice.Mapper.class)
@RegisterRowMapper(HostCandidate.Mapper.class)
@RegisterConstructorMapper(TemplateImage.class)
@RegisterConstructorMapper(GpuDevice.class)
public interface InstanceDao {
  String ON_HOST = PlacementStatements.ON_HOST;

  String FREE_DEVICE = PlacementStatements.FREE_DEVICE;

  @SqlQuery(PlacementStatements.LOCK_INSTANCE)
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

  @SqlUpdate("UPDATE instances SET host_id = NULL WHERE id = :instanceId"
      + " AND (:hostId IS NULL OR host_id = :hostId) AND state = 'Creating'")
  void unplace(@Bind("instanceId") String instanceId, @Bind("hostId") String hostId);

  @SqlUpdate("UPDATE instances SET state = 'Error', error_reason = :reason, quota_counted = 0, host_id = NULL"
      + " WHERE id = :id AND state = 'Creating'")
  int markError(@Bind("id") String id, @Bind("reason") String reason);
}
