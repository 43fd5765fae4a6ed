package io.gpucloud.service.inventory.db;

import java.util.List;
import java.util.Optional;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.customizer.BindMethods;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/**
 * gpu_devices. Every change that depends on the device's state is one conditional statement, so a
 * concurrent reservation cannot slip between a check and the write.
 */
@RegisterConstructorMapper(DeviceRow.class)
@RegisterConstructorMapper(SummaryRow.class)
public interface DeviceDao {
  /** The condition under which an operator may change or remove a device. */
  String NOT_BUSY =
      " AND instance_id IS NULL AND state NOT IN ('Reserved', 'Allocated', 'PartiallyAllocated')";

  String SELECT =
      "SELECT d.id, d.host_id, h.name AS host_name, d.bus_address, d.type, d.card_id,"
          + " c.name AS card_name, d.profile_id, p.name AS profile_name, d.parent_device_id,"
          + " d.numa_node, d.pci_root, d.iommu_group, d.driver, d.managed_state, d.state,"
          + " d.instance_id, d.error_reason, d.source, d.created_at, d.updated_at"
          + " FROM gpu_devices d"
          + " JOIN hosts h ON h.id = d.host_id"
          + " JOIN gpu_cards c ON c.id = d.card_id"
          + " LEFT JOIN vgpu_profiles p ON p.id = d.profile_id";

  @SqlQuery(SELECT + " WHERE d.id = :id")
  Optional<DeviceRow> findById(@Bind("id") String id);

  @SqlQuery(
      SELECT
          + " WHERE (:hostId IS NULL OR d.host_id = :hostId)"
          + " AND (:cardId IS NULL OR d.card_id = :cardId)"
          + " AND (:profileId IS NULL OR d.profile_id = :profileId)"
          + " AND (:instanceId IS NULL OR d.instance_id = :instanceId)"
          + " AND (:state IS NULL OR d.state = :state)"
          + " AND (:type IS NULL OR d.type = :type)"
          + " AND (:managedState IS NULL OR d.managed_state = :managedState)"
          + " ORDER BY h.name, d.bus_address")
  List<DeviceRow> list(
      @Bind("hostId") String hostId,
      @Bind("cardId") String cardId,
      @Bind("profileId") String profileId,
      @Bind("instanceId") String instanceId,
      @Bind("state") String state,
      @Bind("type") String type,
      @Bind("managedState") String managedState);

  @SqlUpdate(
      "INSERT INTO gpu_devices (id, host_id, bus_address, type, card_id, profile_id, parent_device_id,"
          + " numa_node, pci_root, iommu_group, driver, managed_state, state, source)"
          + " VALUES (:id, :hostId, :busAddress, :type, :cardId, :profileId, :parentDeviceId,"
          + " :numaNode, :pciRoot, :iommuGroup, :driver, 'Managed', 'Free', 'MANUAL')")
  void insert(@BindMethods NewDevice device);

  /** Changes only the fields whose set flag is true; refused (0 rows) while the device is busy. */
  @SqlUpdate(
      "UPDATE gpu_devices SET"
          + " profile_id = CASE WHEN :setProfile THEN :profileId ELSE profile_id END,"
          + " numa_node = CASE WHEN :setNuma THEN :numaNode ELSE numa_node END,"
          + " parent_device_id = CASE WHEN :setParent THEN :parentDeviceId ELSE parent_device_id END"
          + " WHERE id = :id"
          + NOT_BUSY)
  int updateIfIdle(
      @Bind("id") String id,
      @Bind("setProfile") boolean setProfile,
      @Bind("profileId") String profileId,
      @Bind("setNuma") boolean setNuma,
      @Bind("numaNode") int numaNode,
      @Bind("setParent") boolean setParent,
      @Bind("parentDeviceId") String parentDeviceId);

  @SqlUpdate("UPDATE gpu_devices SET managed_state = :managedState WHERE id = :id" + NOT_BUSY)
  int setManagedStateIfIdle(@Bind("id") String id, @Bind("managedState") String managedState);

  /** Children are protected by the parent foreign key: deleting a parent with children fails. */
  @SqlUpdate("DELETE FROM gpu_devices WHERE id = :id" + NOT_BUSY)
  int deleteIfIdle(@Bind("id") String id);

  @SqlQuery("SELECT COUNT(*) FROM gpu_devices WHERE parent_device_id = :id")
  long countChildren(@Bind("id") String id);

  @SqlQuery(
      "SELECT d.card_id, c.name AS card_name, d.profile_id, p.name AS profile_name, d.state,"
          + " d.managed_state, d.instance_id"
          + " FROM gpu_devices d"
          + " JOIN gpu_cards c ON c.id = d.card_id"
          + " LEFT JOIN vgpu_profiles p ON p.id = d.profile_id"
          + " WHERE d.host_id = :hostId AND d.type <> 'VGPU_ONLY'")
  List<SummaryRow> summaryRows(@Bind("hostId") String hostId);
}
