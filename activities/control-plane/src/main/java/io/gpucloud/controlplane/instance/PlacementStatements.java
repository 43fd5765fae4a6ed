package io.gpucloud.controlplane.instance;

import io.gpucloud.controlplane.metrics.ControlPlaneMetrics;
import io.gpucloud.activities.instance.TemplateImage;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.mapper.RowMapper;
import org.jdbi.v3.core.mapper.reflect.ConstructorMapper;

/**
 * The statements of a placement on the caller's handle: each attempt (lock, check, pick, reserve)
 * and the commit once the domain runs. The rules they apply are in {@link PlacementSql}.
 *
 * <p>Written with Jdbi's fluent API rather than as a SqlObject: attaching a SqlObject builds a handler
 * and a configuration for every method of the interface, and on the reservation path that cost as
 * much CPU as the statements themselves (ReservationBench, JFR). The SQL reads the same either way.
 */
final class PlacementStatements {
  /**
   * gpu_id / gpu_bus_address: the physical GPU a vGPU or VF lives on (the parent's parent for a vGPU
   * on a VF, NVIDIA's vGPU on SR-IOV), which best-fit packing counts free room on.
   */
  private static final String HELD_COLUMNS = "d.id, d.bus_address, d.type, d.numa_node, d.pci_root,"
      + " d.parent_device_id, p.bus_address AS parent_bus_address, pr.name AS profile_name, d.state,"
      + " COALESCE(p.parent_device_id, d.parent_device_id) AS gpu_id,"
      + " COALESCE(g.bus_address, p.bus_address) AS gpu_bus_address";

  private static final String HELD_FROM = " FROM gpu_devices d LEFT JOIN gpu_devices p ON p.id = d.parent_device_id"
      + " LEFT JOIN vgpu_profiles pr ON pr.id = d.profile_id"
      + " LEFT JOIN gpu_devices g ON g.id = p.parent_device_id";

  private static final InstanceRow.Mapper INSTANCE = new InstanceRow.Mapper();
  private static final HeldDevice.Mapper HELD = new HeldDevice.Mapper();
  private static final HostCandidate.Mapper HOST = new HostCandidate.Mapper();
  private static final RowMapper<TemplateImage> TEMPLATE = ConstructorMapper.of(TemplateImage.class);

  private final Handle h;

  PlacementStatements(Handle h) {
    this.h = h;
  }

  Optional<InstanceRow> instance(String id) {
    return h.createQuery("SELECT " + PlacementSql.INSTANCE_COLUMNS + " FROM instances WHERE id = :id").bind("id", id)
        .map(INSTANCE).findOne();
  }

  Optional<InstanceRow> lockInstance(String id) {
    return h.createQuery(PlacementSql.LOCK_INSTANCE).bind("id", id).map(INSTANCE).findOne();
  }

  /**
   * Locks the host row: reservations on one host serialise here (and with discovery, which locks
   * it too). Only the host row: rows read by a locking join or subquery would be locked as well.
   */
  boolean lockHost(String hostId) {
    return h.createQuery("SELECT id FROM hosts WHERE id = :hostId FOR UPDATE").bind("hostId", hostId)
        .mapTo(String.class).findOne().isPresent();
  }

  /** The host, when it is Up, Enabled and has the CPU/RAM (plain read: call it under the host lock). */
  Optional<HostCandidate> hostWithRoom(String hostId, String instanceId, long cpuMhzTotal, long memoryMb) {
    return h.createQuery(PlacementSql.HOST_WITH_ROOM).bind("hostId", hostId).bind("instanceId", instanceId)
        .bind("cpuMhzTotal", cpuMhzTotal).bind("memoryMb", memoryMb).map(HOST).findOne();
  }

  String hostName(String hostId) {
    return h.createQuery("SELECT name FROM hosts WHERE id = :hostId").bind("hostId", hostId)
        .mapTo(String.class).one();
  }

  /**
   * The free devices of the profile on the host. A plain read, made under the host lock: no locking
   * read here, which would also lock the joined profile row that every host's reservations share.
   * A writer that does not take the host lock (the device API) is caught by reserveDevices' count.
   */
  List<HeldDevice> availableDevices(String hostId, String profileId) {
    return h.createQuery("SELECT " + HELD_COLUMNS + HELD_FROM
            + " WHERE d.host_id = :hostId AND d.profile_id = :profileId AND " + PlacementSql.FREE_DEVICE + " ORDER BY d.bus_address")
        .bind("hostId", hostId).bind("profileId", profileId).map(HELD).list();
  }

  List<HeldDevice> heldDevices(String instanceId, String hostId) {
    return h.createQuery("SELECT " + HELD_COLUMNS + HELD_FROM
            + " WHERE d.instance_id = :instanceId AND d.host_id = :hostId ORDER BY d.bus_address")
        .bind("instanceId", instanceId).bind("hostId", hostId).map(HELD).list();
  }

  /** How many of the devices went Free -> Reserved for the instance (fewer: one changed meanwhile). */
  int reserveDevices(String instanceId, Collection<String> ids) {
    return h.createUpdate("UPDATE gpu_devices d SET d.state = 'Reserved', d.instance_id = :instanceId"
            + " WHERE d.id IN (<ids>) AND " + PlacementSql.FREE_DEVICE)
        .bind("instanceId", instanceId).bindList("ids", List.copyOf(ids)).execute();
  }

  /** Also counts the instance against its limits from now on. */
  void placeOn(String instanceId, String hostId) {
    h.createUpdate("UPDATE instances SET host_id = :hostId, quota_counted = 1 WHERE id = :instanceId")
        .bind("hostId", hostId).bind("instanceId", instanceId).execute();
  }

  /**
   * A queued deploy admitted: Queued -> Creating on the host, counted against its limits from now on,
   * its queue row marked, and the VM.ADMITTED event.
   */
  void admitOn(String instanceId, String hostId) {
    h.createUpdate("UPDATE instances SET host_id = :hostId, quota_counted = 1, state = 'Creating' WHERE id = :instanceId"
            + " AND state = 'Queued'")
        .bind("hostId", hostId).bind("instanceId", instanceId).execute();
    h.createUpdate("UPDATE queue_requests SET admitted_at = CURRENT_TIMESTAMP(6), wait_reason = NULL"
            + " WHERE instance_id = :instanceId").bind("instanceId", instanceId).execute();
    h.createQuery("SELECT TIMESTAMPDIFF(MICROSECOND, COALESCE(queued_at, requested_at), CURRENT_TIMESTAMP(6))"
            + " FROM queue_requests WHERE instance_id = :instanceId").bind("instanceId", instanceId)
        .mapTo(Long.class).findOne()
        .ifPresent(us -> ControlPlaneMetrics.afterCommit(h,
            () -> ControlPlaneMetrics.queueAdmitted(java.time.Duration.ofNanos(us * 1000))));
    h.createUpdate("INSERT INTO events (id, type, state, user_id, account_id, instance_id, host_id, workflow_id,"
            + " description) SELECT UUID(), 'VM.ADMITTED', 'Completed', user_id, account_id, id, host_id, workflow_id,"
            + " CONCAT(vm_name, ' admitted from the queue onto host ', (SELECT name FROM hosts WHERE id = :hostId),"
            + " ' after ', ROUND(TIMESTAMPDIFF(MICROSECOND, (SELECT requested_at FROM queue_requests"
            + " WHERE instance_id = :instanceId), CURRENT_TIMESTAMP(6)) / 1e6, 3), ' s') FROM instances WHERE id = :instanceId")
        .bind("hostId", hostId).bind("instanceId", instanceId).execute();
  }

  /**
   * A start that reserved again: the instance is on the host, counts against its limits, and its GPUs
   * count again.
   */
  void placeForStart(String instanceId, String hostId) {
    h.createUpdate("UPDATE instances SET host_id = :hostId, quota_counted = 1, gpus_released = 0 WHERE id = :instanceId")
        .bind("hostId", hostId).bind("instanceId", instanceId).execute();
  }

  /** The hosts other than :exceptHostId where the instance holds Reserved devices (a migration's earlier attempt). */
  List<String> hostsWithReserved(String instanceId, String exceptHostId) {
    return h.createQuery("SELECT DISTINCT host_id FROM gpu_devices WHERE instance_id = :instanceId"
            + " AND state = 'Reserved' AND (:exceptHostId IS NULL OR host_id <> :exceptHostId)")
        .bind("instanceId", instanceId).bind("exceptHostId", exceptHostId).mapTo(String.class).list();
  }

  /** A host's name, state and resource state (why it cannot take an instance). */
  record HostStatus(String name, String state, String resourceState) {}

  Optional<HostStatus> hostStatus(String hostId) {
    return h.createQuery("SELECT name, state, resource_state FROM hosts WHERE id = :hostId").bind("hostId", hostId)
        .map((rs, ctx) -> new HostStatus(rs.getString(1), rs.getString(2), rs.getString(3))).findOne();
  }

  Optional<String> profileName(String profileId) {
    return h.createQuery("SELECT name FROM vgpu_profiles WHERE id = :id").bind("id", profileId)
        .mapTo(String.class).findOne();
  }

  Optional<TemplateImage> template(String id) {
    return h.createQuery("SELECT name, os_type, image_path, root_disk_gb FROM templates WHERE id = :id")
        .bind("id", id).map(TEMPLATE).findOne();
  }

  /** The instance's Reserved devices on the host become Allocated (the domain runs with them). */
  int allocateDevices(String instanceId, String hostId) {
    return h.createUpdate("UPDATE gpu_devices SET state = 'Allocated' WHERE instance_id = :instanceId"
            + " AND host_id = :hostId AND state = 'Reserved'")
        .bind("instanceId", instanceId).bind("hostId", hostId).execute();
  }

  /**
   * The deploy's VM.CREATE event (Completed or Failed) in the caller's transaction, with the user,
   * account, host and workflow id of the instance row: one statement, no read first.
   */
  void deployEvent(String instanceId, String state, String description) {
    h.createUpdate("INSERT INTO events (id, type, state, user_id, account_id, instance_id, host_id, workflow_id,"
            + " description) SELECT UUID(), 'VM.CREATE', :state, user_id, account_id, id, host_id, workflow_id,"
            + " LEFT(CONCAT(vm_name, :description), 4000) FROM instances WHERE id = :id")
        .bind("state", state).bind("description", description).bind("id", instanceId).execute();
    ControlPlaneMetrics.eventWritten(h, "VM.CREATE", state, instanceId, null); // the deploy's duration
  }

  /** 1 when the instance was Creating on the host and is Running now (deploy's commit). */
  int markRunning(String id, String hostId) {
    return h.createUpdate("UPDATE instances SET state = 'Running', error_reason = NULL WHERE id = :id"
            + " AND state = 'Creating' AND host_id = :hostId")
        .bind("id", id).bind("hostId", hostId).execute();
  }
}
