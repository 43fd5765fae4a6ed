package io.gpucloud.service.inventory.db;

import io.gpucloud.activities.model.GpuCard;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.customizer.BindMethods;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/** gpu_cards. */
@RegisterConstructorMapper(GpuCard.class)
public interface CardDao {
  String COLUMNS = "id, vendor_id, device_id, vendor_name, device_name, name, created_at";

  @SqlUpdate(
      "INSERT INTO gpu_cards (id, vendor_id, device_id, vendor_name, device_name, name)"
          + " VALUES (:id, :vendorId, :deviceId, :vendorName, :deviceName, :name)")
  void insert(@BindMethods GpuCard card);

  @SqlQuery("SELECT " + COLUMNS + " FROM gpu_cards WHERE id = :id")
  Optional<GpuCard> findById(@Bind("id") String id);

  @SqlQuery("SELECT " + COLUMNS + " FROM gpu_cards WHERE vendor_id = :vendorId AND device_id = :deviceId")
  Optional<GpuCard> findByIds(@Bind("vendorId") String vendorId, @Bind("deviceId") String deviceId);

  /** keyword is a LIKE-escaped substring of name (or null). */
  @SqlQuery(
      "SELECT " + COLUMNS + " FROM gpu_cards"
          + " WHERE (:vendorId IS NULL OR vendor_id = :vendorId)"
          + " AND (:deviceId IS NULL OR device_id = :deviceId)"
          + " AND (:keyword IS NULL OR name LIKE CONCAT('%', :keyword, '%'))"
          + " ORDER BY name, vendor_id, device_id")
  List<GpuCard> list(
      @Bind("vendorId") String vendorId, @Bind("deviceId") String deviceId, @Bind("keyword") String keyword);

  @SqlUpdate(
      "UPDATE gpu_cards SET vendor_name = :vendorName, device_name = :deviceName, name = :name WHERE id = :id")
  int update(
      @Bind("id") String id,
      @Bind("vendorName") String vendorName,
      @Bind("deviceName") String deviceName,
      @Bind("name") String name);

  /** Deletes the card (and, by cascade, its profiles) only while no device references it. */
  @SqlUpdate(
      "DELETE FROM gpu_cards WHERE id = :id"
          + " AND NOT EXISTS (SELECT 1 FROM gpu_devices d WHERE d.card_id = :id)")
  int deleteIfUnused(@Bind("id") String id);

  @SqlQuery("SELECT COUNT(*) FROM gpu_devices WHERE card_id = :id")
  long countDevices(@Bind("id") String id);
}
