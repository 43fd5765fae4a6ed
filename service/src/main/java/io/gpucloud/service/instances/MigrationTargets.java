package io.gpucloud.service.instances;

import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Handle;

/**
 * Why a host cannot take an instance's cold migration, checked by the API before it accepts the
 * request (the workflow's reservation checks again under the host lock). This is the service's own
 * small check until the control plane's {@code LifecycleActivitiesImpl.whyHostCannotTake(Handle,
 * instanceId, hostId)} lands; then {@link #whyHostCannotTake} delegates to it.
 */
final class MigrationTargets {
  /** States in which an instance holds CPU and RAM on its host (placement's ON_HOST, and the lifecycle's). */
  private static final String ON_HOST =
      "('Creating','Starting','Running','Stopping','Stopped','Migrating','Rebooting','Scaling','Destroying')";

  private MigrationTargets() {}

  /**
   * Empty when the host (which exists) can take the instance now; else the reason, naming the host:
   * the instance's own host, not Enabled (Disabled, PrepareForMaintenance, Maintenance), not Up, too few
   * free devices of the instance's profile, or too little CPU or RAM left.
   */
  static Optional<String> whyHostCannotTake(Handle h, String instanceId, String hostId) {
    Map<String, Object> i = h.createQuery("SELECT host_id, vgpu_profile_id, gpu_count, cpu_cores * cpu_mhz AS cpu,"
            + " memory_mb FROM instances WHERE id = :id")
        .bind("id", instanceId).mapToMap().one();
    Map<String, Object> host = h.createQuery("SELECT h.name, h.state, h.resource_state,"
            + " h.cpu_cores * h.cpu_mhz - COALESCE(u.cpu, 0) AS cpu_left, h.memory_mb - COALESCE(u.mem, 0) AS mem_left"
            + " FROM hosts h LEFT JOIN (SELECT host_id, SUM(cpu_cores * cpu_mhz) AS cpu, SUM(memory_mb) AS mem"
            + " FROM instances WHERE host_id = :hostId AND id <> :instanceId AND state IN " + ON_HOST
            + " GROUP BY host_id) u ON u.host_id = h.id WHERE h.id = :hostId")
        .bind("hostId", hostId).bind("instanceId", instanceId).mapToMap().one();
    String name = "host " + host.get("name");
    if (hostId.equals(i.get("host_id"))) {
      return Optional.of(name + " is the instance's own host");
    }
    if (!"Enabled".equals(host.get("resource_state"))) {
      String rs = (String) host.get("resource_state");
      return Optional.of(name + " is " + (rs.contains("Maintenance") ? "in " : "") + rs);
    }
    if (!"Up".equals(host.get("state"))) {
      return Optional.of(name + " is " + host.get("state"));
    }
    int gpus = ((Number) i.get("gpu_count")).intValue();
    if (gpus > 0 && i.get("vgpu_profile_id") != null) {
      long free = h.createQuery("SELECT COUNT(*) FROM gpu_devices d WHERE d.host_id = :hostId"
              + " AND d.profile_id = :profileId AND d.state = 'Free' AND d.managed_state = 'Managed'"
              + " AND d.instance_id IS NULL AND d.type <> 'VGPU_ONLY'")
          .bind("hostId", hostId).bind("profileId", i.get("vgpu_profile_id")).mapTo(Long.class).one();
      if (free < gpus) {
        return Optional.of(name + " has no room: " + free + " free device" + (free == 1 ? "" : "s")
            + " of the instance's profile, " + gpus + " needed");
      }
    }
    if (((Number) host.get("cpu_left")).longValue() < ((Number) i.get("cpu")).longValue()) {
      return Optional.of(name + " has no room: " + host.get("cpu_left") + " MHz of CPU left, " + i.get("cpu")
          + " needed");
    }
    if (((Number) host.get("mem_left")).longValue() < ((Number) i.get("memory_mb")).longValue()) {
      return Optional.of(name + " has no room: " + host.get("mem_left") + " MB of memory left, "
          + i.get("memory_mb") + " needed");
    }
    return Optional.empty();
  }
}
