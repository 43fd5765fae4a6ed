package io.gpucloud.service.tenancy;

import java.util.List;
import java.util.Optional;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/** offerings and templates. */
@RegisterConstructorMapper(OfferingRow.class)
@RegisterConstructorMapper(TemplateRow.class)
public interface CatalogDao {
  String OFFERING = "SELECT o.id, o.name, o.description, o.cpu_cores, o.cpu_mhz, o.memory_mb, o.vgpu_profile_id,"
      + " o.gpu_count, o.gpu_display, o.numa_policy, o.created_at, p.name AS profile_name, c.id AS card_id,"
      + " c.name AS card_name FROM offerings o LEFT JOIN vgpu_profiles p ON p.id = o.vgpu_profile_id"
      + " LEFT JOIN gpu_cards c ON c.id = p.card_id";

  /** One offering: the catalogue's GET and the deploy request (DeployRequestDao) read it alike. */
  String OFFERING_BY_ID = OFFERING + " WHERE o.id = :id";

  @SqlQuery(OFFERING_BY_ID)
  Optional<OfferingRow> offering(@Bind("id") String id);

  @SqlQuery(OFFERING + " WHERE (:gpuEnabled IS NULL OR (o.vgpu_profile_id IS NOT NULL) = :gpuEnabled)"
      + " AND (:name IS NULL OR o.name = :name)"
      + " ORDER BY o.name, o.id")
  List<OfferingRow> offerings(@Bind("gpuEnabled") Boolean gpuEnabled, @Bind("name") String name);

  @SqlUpdate("INSERT INTO offerings (id, name, description, cpu_cores, cpu_mhz, memory_mb, vgpu_profile_id,"
      + " gpu_count, gpu_display, numa_policy) VALUES (:id, :name, :description, :cpuCores, :cpuMhz, :memoryMb,"
      + " :profileId, :gpuCount, :gpuDisplay, :numaPolicy)")
  void insertOffering(@Bind("id") String id, @Bind("name") String name, @Bind("description") String description,
      @Bind("cpuCores") int cpuCores, @Bind("cpuMhz") int cpuMhz, @Bind("memoryMb") long memoryMb,
      @Bind("profileId") String profileId, @Bind("gpuCount") int gpuCount, @Bind("gpuDisplay") boolean gpuDisplay,
      @Bind("numaPolicy") String numaPolicy);

  /** The profile's name (shared lock: the profile cannot vanish before the offering is inserted). */
  @SqlQuery("SELECT name FROM vgpu_profiles WHERE id = :id LOCK IN SHARE MODE")
  Optional<String> profileName(@Bind("id") String profileId);

  /** The most assignable devices (anything but VGPU_ONLY parents) of one profile on any one host; 0 when none. */
  @SqlQuery("SELECT COALESCE(MAX(n), 0) FROM (SELECT COUNT(*) AS n FROM gpu_devices"
      + " WHERE profile_id = :id AND type <> 'VGPU_ONLY' GROUP BY host_id) per_host")
  int mostDevicesOnAHost(@Bind("id") String profileId);

  @SqlQuery("SELECT COUNT(*) FROM instances WHERE offering_id = :id AND state NOT IN ('Destroyed', 'Expunged')")
  long countLiveOfferingInstances(@Bind("id") String id);

  @SqlUpdate("DELETE FROM offerings WHERE id = :id")
  int deleteOffering(@Bind("id") String id);

  String TEMPLATE = "SELECT id, name, os_type, root_disk_gb, image_path, created_at FROM templates";

  @SqlQuery(TEMPLATE + " WHERE id = :id")
  Optional<TemplateRow> template(@Bind("id") String id);

  @SqlQuery(TEMPLATE + " WHERE (:name IS NULL OR name = :name) ORDER BY name, id")
  List<TemplateRow> templates(@Bind("name") String name);

  @SqlUpdate("INSERT INTO templates (id, name, os_type, root_disk_gb, image_path)"
      + " VALUES (:id, :name, :osType, :rootDiskGb, :imagePath)")
  void insertTemplate(@Bind("id") String id, @Bind("name") String name, @Bind("osType") String osType,
      @Bind("rootDiskGb") long rootDiskGb, @Bind("imagePath") String imagePath);

  @SqlQuery("SELECT COUNT(*) FROM instances WHERE template_id = :id AND state NOT IN ('Destroyed', 'Expunged')")
  long countLiveTemplateInstances(@Bind("id") String id);

  @SqlUpdate("DELETE FROM templates WHERE id = :id")
  int deleteTemplate(@Bind("id") String id);
}
