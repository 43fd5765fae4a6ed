package io.gpucloud.service.inventory.db;

import io.gpucloud.activities.model.VgpuProfile;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.customizer.BindMethods;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/** vgpu_profiles. */
@RegisterConstructorMapper(VgpuProfile.class)
public interface ProfileDao {
  String COLUMNS =
      "id, card_id, name, description, video_ram_mb, max_heads, max_resolution_x, max_resolution_y,"
          + " max_vgpus_per_gpu, created_at";

  @SqlUpdate(
      "INSERT INTO vgpu_profiles (id, card_id, name, description, video_ram_mb, max_heads,"
          + " max_resolution_x, max_resolution_y, max_vgpus_per_gpu)"
          + " VALUES (:id, :cardId, :name, :description, :videoRamMb, :maxHeads,"
          + " :maxResolutionX, :maxResolutionY, :maxVgpusPerGpu)")
  void insert(@BindMethods VgpuProfile profile);

  @SqlQuery("SELECT " + COLUMNS + " FROM vgpu_profiles WHERE id = :id")
  Optional<VgpuProfile> findById(@Bind("id") String id);

  @SqlQuery(
      "SELECT " + COLUMNS + " FROM vgpu_profiles"
          + " WHERE (:cardId IS NULL OR card_id = :cardId)"
          + " AND (:name IS NULL OR name = :name)"
          + " ORDER BY card_id, name")
  List<VgpuProfile> list(@Bind("cardId") String cardId, @Bind("name") String name);

  /**
   * Updates the mutable fields; the passthrough profile keeps its name (the condition makes the
   * rule hold even against a concurrent request).
   */
  @SqlUpdate(
      "UPDATE vgpu_profiles SET name = :name, description = :description, video_ram_mb = :videoRamMb,"
          + " max_heads = :maxHeads, max_resolution_x = :maxResolutionX,"
          + " max_resolution_y = :maxResolutionY, max_vgpus_per_gpu = :maxVgpusPerGpu"
          + " WHERE id = :id AND (name <> 'passthrough' OR :name = 'passthrough')")
  int update(@BindMethods VgpuProfile profile);

  /** Deletes a profile that is not passthrough and that no device uses. */
  @SqlUpdate(
      "DELETE FROM vgpu_profiles WHERE id = :id AND name <> 'passthrough'"
          + " AND NOT EXISTS (SELECT 1 FROM gpu_devices d WHERE d.profile_id = :id)")
  int deleteIfUnused(@Bind("id") String id);

  @SqlQuery("SELECT COUNT(*) FROM gpu_devices WHERE profile_id = :id")
  long countDevices(@Bind("id") String id);
}
