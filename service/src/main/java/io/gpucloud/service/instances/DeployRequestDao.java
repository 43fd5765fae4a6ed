package io.gpucloud.service.instances;

import io.gpucloud.service.tenancy.CatalogDao;
import io.gpucloud.service.tenancy.OfferingRow;
import java.util.Optional;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.customizer.BindMethods;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/**
 * What a deploy request checks and inserts. The instance views (read on every GET) are in
 * {@link InstanceReads}.
 */
@RegisterConstructorMapper(OfferingRow.class)
public interface DeployRequestDao {
  @SqlUpdate("UPDATE instances SET batch_id = :batchId WHERE id = :id")
  void joinBatch(@Bind("id") String id, @Bind("batchId") String batchId);

  /** The offering the instance copies its CPU, RAM, GPUs and placement policy from. */
  @SqlQuery(CatalogDao.OFFERING_BY_ID)
  Optional<OfferingRow> offering(@Bind("id") String id);

  @SqlQuery("SELECT COUNT(*) FROM templates WHERE id = :id")
  int templateExists(@Bind("id") String id);

  @SqlQuery("SELECT account_id FROM projects WHERE id = :id")
  Optional<String> projectAccount(@Bind("id") String id);

  @SqlQuery("SELECT d.path FROM accounts a JOIN domains d ON d.id = a.domain_id WHERE a.id = :id")
  String accountDomainPath(@Bind("id") String accountId);

  /**
   * The request's place in the queue: its pool (the card of the offering's profile, 'none' without GPUs)
   * and options; maxWait counts from the request (the instance's creation).
   */
  @SqlUpdate("INSERT INTO queue_requests (instance_id, pool_key, priority, max_wait_ms, wait_for_quota, batch_id, gang,"
      + " requested_at) SELECT i.id, COALESCE((SELECT p.card_id FROM vgpu_profiles p WHERE p.id = i.vgpu_profile_id"
      + " AND i.gpu_count > 0), 'none'), :priority, :maxWaitMs, :waitForQuota, :batchId, :gang, i.created_at"
      + " FROM instances i WHERE i.id = :id")
  void queue(@Bind("id") String id, @Bind("priority") int priority, @Bind("maxWaitMs") long maxWaitMs,
      @Bind("waitForQuota") boolean waitForQuota, @Bind("batchId") String batchId, @Bind("gang") boolean gang);

  @SqlUpdate("INSERT INTO instances (id, name, vm_name, account_id, project_id, user_id, offering_id, template_id,"
      + " vgpu_profile_id, gpu_count, cpu_cores, cpu_mhz, memory_mb, gpu_display, numa_policy, state, workflow_id)"
      + " VALUES (:id, :name, :vmName, :accountId, :projectId, :userId, :o.id, :templateId, :o.vgpuProfileId,"
      + " :o.gpuCount, :o.cpuCores, :o.cpuMhz, :o.memoryMb, :o.gpuDisplay, :o.numaPolicy, 'Creating', :workflowId)")
  void insert(@Bind("id") String id, @Bind("name") String name, @Bind("vmName") String vmName,
      @Bind("accountId") String accountId, @Bind("projectId") String projectId, @Bind("userId") String userId,
      @BindMethods("o") OfferingRow offering, @Bind("templateId") String templateId,
      @Bind("workflowId") String workflowId);
}
