package io.gpucloud.controlplane.instance;

import java.util.List;
import org.jdbi.v3.sqlobject.config.RegisterRowMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.customizer.BindList;
import org.jdbi.v3.sqlobject.statement.SqlQuery;

/** Planning: which hosts could take an instance now, best fit first. Only a hint for the reservation. */
@RegisterRowMapper(HostCandidate.Mapper.class)
public interface HostPlanDao {
  /**
   * Hosts with at least :count free devices of the profile and room for the CPU/RAM, best fit first
   * (fewest free), ties shuffled so concurrent deploys spread instead of queueing on one host lock.
   * Used through PlanCache, so one such count serves many plans.
   */
  @SqlQuery("SELECT h.id AS host_id, h.name AS host_name, f.free AS free_devices FROM hosts h"
      + " JOIN (SELECT d.host_id, COUNT(*) AS free FROM gpu_devices d WHERE d.profile_id = :profileId AND "
      + PlacementSql.FREE_DEVICE + " GROUP BY d.host_id HAVING COUNT(*) >= :count) f ON f.host_id = h.id "
      + PlacementSql.HOSTS_USAGE_JOIN
      + " WHERE " + PlacementSql.HOST_HAS_ROOM + " AND h.id NOT IN (<excluded>)"
      + " ORDER BY f.free, RAND() LIMIT :limit")
  List<HostCandidate> gpuHosts(@Bind("instanceId") String instanceId, @Bind("profileId") String profileId,
      @Bind("count") int count, @Bind("cpuMhzTotal") long cpuMhzTotal, @Bind("memoryMb") long memoryMb,
      @BindList("excluded") List<String> excluded, @Bind("limit") int limit);

  /** Hosts with room for an instance without GPUs, the fullest RAM first. */
  @SqlQuery("SELECT h.id AS host_id, h.name AS host_name, 0 AS free_devices FROM hosts h "
      + PlacementSql.HOSTS_USAGE_JOIN
      + " WHERE " + PlacementSql.HOST_HAS_ROOM + " AND h.id NOT IN (<excluded>)"
      + " ORDER BY h.memory_mb - COALESCE(u.mem, 0), RAND() LIMIT :limit")
  List<HostCandidate> plainHosts(@Bind("instanceId") String instanceId, @Bind("cpuMhzTotal") long cpuMhzTotal,
      @Bind("memoryMb") long memoryMb, @BindList("excluded") List<String> excluded, @Bind("limit") int limit);
}
