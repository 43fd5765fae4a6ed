package io.gpucloud.controlplane.inventory;

import io.gpucloud.activities.model.GpuDevice;
import io.gpucloud.activities.model.Host;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.sqlobject.config.KeyColumn;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.config.ValueColumn;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.customizer.BindMethods;
import org.jdbi.v3.sqlobject.statement.SqlBatch;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;
import java.util.Map;

/** The SQL behind host registration and discovery reconcile. */
@RegisterConstructorMapper(GpuDevice.class)
@RegisterConstructorMapper(Host.class)
public interface InventoryDao {

  String DEVICE_COLUMNS =
      "id, host_id, bus_address, type, card_id, profile_id, parent_device_id, numa_node, pci_root, iommu_group,"
          + " driver, managed_state, state, instance_id, error_reason, source, created_at, updated_at";

  @SqlQuery("SELECT * FROM hosts WHERE name = :name")
  Optional<Host> hostByName(@Bind("name") String name);

  /** Serialises reconciles of one host. */
  @SqlQuery("SELECT id FROM hosts WHERE name = :name FOR UPDATE")
  Optional<String> lockHost(@Bind("name") String name);

  @SqlUpdate("INSERT INTO hosts (id, name, hypervisor_uri, cpu_cores, cpu_mhz, memory_mb, numa_nodes, storage_pool,"
      + " storage_shared, state, resource_state, last_seen_at) VALUES (:id, :hostName, :hypervisorUri, :cpuCores,"
      + " :cpuMhz, :memoryMb, :numaNodes, :storagePool, :storageShared, 'Up', 'Enabled', CURRENT_TIMESTAMP(3))"
      + " ON DUPLICATE KEY UPDATE hypervisor_uri = VALUES(hypervisor_uri), cpu_cores = VALUES(cpu_cores),"
      + " cpu_mhz = VALUES(cpu_mhz), memory_mb = VALUES(memory_mb), numa_nodes = VALUES(numa_nodes),"
      + " storage_pool = VALUES(storage_pool), storage_shared = VALUES(storage_shared),"
      + " state = 'Up', last_seen_at = CURRENT_TIMESTAMP(3)")
  void upsertHost(@Bind("id") String id, @BindMethods io.gpucloud.activities.host.HostRegistration reg);

  @SqlUpdate("UPDATE hosts SET last_discovery_at = CURRENT_TIMESTAMP(3) WHERE id = :id")
  void markDiscovered(@Bind("id") String hostId);

  /** Locking read: a concurrent reservation waits for the reconcile, and the reconcile sees its result. */
  @SqlQuery("SELECT " + DEVICE_COLUMNS + " FROM gpu_devices WHERE host_id = :hostId ORDER BY created_at, id FOR UPDATE")
  List<GpuDevice> lockDevices(@Bind("hostId") String hostId);

  @SqlUpdate("INSERT IGNORE INTO gpu_cards (id, vendor_id, device_id, vendor_name, device_name, name)"
      + " VALUES (:id, :vendorId, :deviceId, :vendorName, :deviceName, :name)")
  int insertCardIfAbsent(@Bind("id") String id, @Bind("vendorId") String vendorId, @Bind("deviceId") String deviceId,
      @Bind("vendorName") String vendorName, @Bind("deviceName") String deviceName, @Bind("name") String name);

  @SqlQuery("SELECT id FROM gpu_cards WHERE vendor_id = :vendorId AND device_id = :deviceId")
  String cardId(@Bind("vendorId") String vendorId, @Bind("deviceId") String deviceId);

  @SqlUpdate("INSERT IGNORE INTO vgpu_profiles (id, card_id, name, description, video_ram_mb, max_heads, max_resolution_x,"
      + " max_resolution_y, max_vgpus_per_gpu) VALUES (:id, :cardId, :name, :description, :videoRamMb, :maxHeads,"
      + " :maxResolutionX, :maxResolutionY, :maxVgpusPerGpu)")
  int insertProfileIfAbsent(@BindMethods io.gpucloud.activities.model.VgpuProfile profile);

  @SqlQuery("SELECT id FROM vgpu_profiles WHERE card_id = :cardId AND name = :name")
  String profileId(@Bind("cardId") String cardId, @Bind("name") String name);

  /** A profile of the card by name, or else by description (how a renamed default VF profile is found). */
  @SqlQuery("SELECT id FROM vgpu_profiles WHERE card_id = :cardId AND (name = :name OR description = :description)"
      + " ORDER BY name = :name DESC, created_at, id LIMIT 1")
  Optional<String> profileIdByNameOrDescription(@Bind("cardId") String cardId, @Bind("name") String name,
      @Bind("description") String description);

  @SqlQuery("SELECT message FROM host_events WHERE host_id = :hostId AND type = :type ORDER BY id DESC LIMIT 1")
  Optional<String> lastEventMessage(@Bind("hostId") String hostId, @Bind("type") String type);

  @SqlQuery("SELECT vm_name, id FROM instances")
  @KeyColumn("vm_name")
  @ValueColumn("id")
  Map<String, String> vmNames();

  @SqlBatch("INSERT INTO gpu_devices (" + DEVICE_COLUMNS + ") VALUES (:id, :hostId, :busAddress, :type, :cardId,"
      + " :profileId, :parentDeviceId, :numaNode, :pciRoot, :iommuGroup, :driver, :managedState, :state,"
      + " :instanceId, :errorReason, :source, :createdAt, :updatedAt)")
  void insertDevices(@BindMethods List<GpuDevice> devices);

  @SqlBatch("UPDATE gpu_devices SET type = :type, card_id = :cardId, profile_id = :profileId,"
      + " parent_device_id = :parentDeviceId, numa_node = :numaNode, pci_root = :pciRoot,"
      + " iommu_group = :iommuGroup, driver = :driver, state = :state, instance_id = :instanceId,"
      + " error_reason = :errorReason, source = :source WHERE id = :id")
  void updateDevices(@BindMethods List<GpuDevice> devices);

  @SqlUpdate("INSERT INTO host_events (host_id, level, type, message, workflow_id)"
      + " VALUES (:hostId, :level, :type, :message, :workflowId)")
  void insertEvent(@Bind("hostId") String hostId, @Bind("level") String level, @Bind("type") String type,
      @Bind("message") String message, @Bind("workflowId") String workflowId);
}
