package io.gpucloud.controlplane.instance;

import io.gpucloud.activities.model.GpuDevice;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.config.RegisterRowMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/** Giving back what a placement took: devices to Free, vGPU parents re-derived, the instance off its host. */
@RegisterRowMapper(InstanceRow.Mapper.class)
@RegisterConstructorMapper(GpuDevice.class)
public interface ReleaseDao {
  @SqlQuery(PlacementSql.LOCK_INSTANCE)
  Optional<InstanceRow> lockInstance(@Bind("id") String id);

  /** Frees what the instance holds (on one host, or anywhere when hostId is null); Error devices stay Error. */
  @SqlUpdate("UPDATE gpu_devices SET state = IF(state = 'Error', 'Error', 'Free'), instance_id = NULL"
      + " WHERE instance_id = :instanceId AND (:hostId IS NULL OR host_id = :hostId)")
  int freeDevices(@Bind("instanceId") String instanceId, @Bind("hostId") String hostId);

  @SqlQuery("SELECT DISTINCT parent_device_id FROM gpu_devices WHERE instance_id = :instanceId"
      + " AND parent_device_id IS NOT NULL AND (:hostId IS NULL OR host_id = :hostId)")
  List<String> parentsOfHeld(@Bind("instanceId") String instanceId, @Bind("hostId") String hostId);

  @SqlQuery("SELECT * FROM gpu_devices WHERE parent_device_id = :parentId")
  List<GpuDevice> children(@Bind("parentId") String parentId);

  /**
   * Parent state derived from its children, as reconcile derives it: Error with the derived reason,
   * else no reason; a parent in Error for a reason of its own (missing, unusable, left out, used by a
   * VM...) keeps it.
   */
  @SqlUpdate("UPDATE gpu_devices SET state = :state, error_reason = IF(:state = 'Error', :derived, NULL)"
      + " WHERE id = :id AND type = 'VGPU_ONLY'"
      + " AND NOT (state = 'Error' AND error_reason IS NOT NULL AND error_reason <> :derived)")
  void setParentState(@Bind("id") String id, @Bind("state") String state, @Bind("derived") String derivedReason);

  /** The device's parent (a vGPU's VF or GPU, a VF's GPU), if any. */
  @SqlQuery("SELECT parent_device_id FROM gpu_devices WHERE id = :id AND parent_device_id IS NOT NULL")
  Optional<String> parentOf(@Bind("id") String id);

  @SqlUpdate("UPDATE instances SET host_id = NULL WHERE id = :instanceId"
      + " AND (:hostId IS NULL OR host_id = :hostId) AND state = 'Creating'")
  void unplace(@Bind("instanceId") String instanceId, @Bind("hostId") String hostId);

  @SqlUpdate("UPDATE instances SET state = 'Error', error_reason = :reason, quota_counted = 0, host_id = NULL"
      + " WHERE id = :id AND state = 'Creating'")
  int markError(@Bind("id") String id, @Bind("reason") String reason);
}
