package io.gpucloud.controlplane.instance;

/**
 * The placement rules as SQL, each written once. The planning queries ({@link HostPlanDao}), one
 * placement attempt ({@link PlacementStatements}) and the undo steps ({@link ReleaseDao}) build their
 * statements from these, so "a host that can take the instance" means the same thing in all of them.
 */
final class PlacementSql {
  /**
   * Instance states that hold CPU/RAM on their host: every state but Destroyed. A Stopped instance keeps
   * its host's CPU/RAM, as an operation in progress does; an instance that an operation left in Error
   * keeps its host until it is destroyed (a failed deploy's Error has no host).
   */
  static final String ON_HOST = "('Creating','Starting','Running','Stopping','Stopped','Rebooting','Migrating',"
      + "'Scaling','Destroying','Error')";

  /** A device that may be given to an instance: Free, Managed, held by nobody, not a vGPU/VF parent. */
  static final String FREE_DEVICE = "d.state = 'Free' AND d.managed_state = 'Managed' AND d.instance_id IS NULL"
      + " AND d.type <> 'VGPU_ONLY'";

  static final String INSTANCE_COLUMNS = "id, vm_name, account_id, project_id, state, host_id, vgpu_profile_id,"
      + " gpu_count, cpu_cores, cpu_mhz, memory_mb, gpu_display, numa_policy, quota_counted, template_id, gpus_released";

  static final String LOCK_INSTANCE = "SELECT " + INSTANCE_COLUMNS + " FROM instances WHERE id = :id FOR UPDATE";

  /**
   * Host h takes new instances: Up; Enabled, so neither Disabled nor in Maintenance; and the CPU
   * (:cpuMhzTotal) and RAM (:memoryMb) left after what the other instances on it use (u, joined from
   * {@link #HOSTS_USAGE_JOIN} or {@link #ONE_HOST_USAGE_JOIN}) fit the instance.
   */
  static final String HOST_HAS_ROOM = "h.state = 'Up' AND h.resource_state = 'Enabled'"
      + " AND h.cpu_cores * h.cpu_mhz - COALESCE(u.cpu, 0) >= :cpuMhzTotal"
      + " AND h.memory_mb - COALESCE(u.mem, 0) >= :memoryMb";

  /** What the instances (this one left out) use of CPU and RAM, per host; summed from the V6 index alone. */
  private static final String USAGE = "SELECT i.host_id, SUM(i.cpu_cores * i.cpu_mhz) AS cpu, SUM(i.memory_mb) AS mem"
      + " FROM instances i WHERE i.state IN " + ON_HOST + " AND i.id <> :instanceId";

  /** Every host's usage, one pass over the instances on hosts (planning). */
  static final String HOSTS_USAGE_JOIN = "LEFT JOIN (" + USAGE + " AND i.host_id IS NOT NULL GROUP BY i.host_id) u"
      + " ON u.host_id = h.id";

  /** One host's (:hostId) usage, from its own instances only (a reservation under the host lock). */
  static final String ONE_HOST_USAGE_JOIN = "LEFT JOIN (" + USAGE + " AND i.host_id = :hostId GROUP BY i.host_id) u"
      + " ON u.host_id = h.id";

  /** The host :hostId, when it can take the instance (a plain read: made under the host lock). */
  static final String HOST_WITH_ROOM = "SELECT h.id AS host_id, h.name AS host_name, 0 AS free_devices FROM hosts h "
      + ONE_HOST_USAGE_JOIN + " WHERE h.id = :hostId AND " + HOST_HAS_ROOM;

  private PlacementSql() {}
}
