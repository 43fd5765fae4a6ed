package io.gpucloud.service.instances;

import java.util.List;
import java.util.Optional;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.customizer.BindList;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/** Instance reads for the API (scoped by the caller) and the insert a deploy request makes. */
@RegisterConstructorMapper(InstanceRow.class)
@RegisterConstructorMapper(DeviceOfInstance.class)
@RegisterConstructorMapper(OfferingRow.class)
public interface InstanceDao {
  String SELECT = "SELECT i.id, i.name, i.vm_name, i.state, i.error_reason, i.account_id, a.name AS account_name,"
      + " dm.path AS domain_path, i.project_id, i.offering_id, o.name AS offering_name, i.template_id,"
      + " i.cpu_cores, i.cpu_mhz, i.memory_mb, i.gpu_count, c.name AS card_name, p.name AS profile_name,"
      + " i.workflow_id, i.created_at, i.host_id, h.name AS host_name"
      + " FROM instances i JOIN accounts a ON a.id = i.account_id JOIN domains dm ON dm.id = a.domain_id"
      + " LEFT JOIN offerings o ON o.id = i.offering_id LEFT JOIN vgpu_profiles p ON p.id = i.vgpu_profile_id"
      + " LEFT JOIN gpu_cards c ON c.id = p.card_id LEFT JOIN hosts h ON h.id = i.host_id";

  /** Scope: all (both null), a domain subtree (domainPath prefix) or one account. */
  String SCOPE = " (:accountId IS NULL OR i.account_id = :accountId)"
      + " AND (:domainPath IS NULL OR dm.path LIKE CONCAT(:domainPath, '%'))";

  @SqlQuery(SELECT + " WHERE" + SCOPE + " AND (:state IS NULL OR i.state = :state) ORDER BY i.created_at DESC, i.id")
  List<InstanceRow> list(@Bind("accountId") String accountId, @Bind("domainPath") String domainPath,
      @Bind("state") String state);

  @SqlQuery(SELECT + " WHERE i.id = :id AND" + SCOPE)
  Optional<InstanceRow> get(@Bind("id") String id, @Bind("accountId") String accountId,
      @Bind("domainPath") String domainPath);

  @SqlQuery("SELECT d.id, d.instance_id, d.type, c.name AS card_name, p.name AS profile_name, d.bus_address,"
      + " d.numa_node, d.state FROM gpu_devices d JOIN gpu_cards c ON c.id = d.card_id"
      + " LEFT JOIN vgpu_profiles p ON p.id = d.profile_id WHERE d.instance_id IN (<ids>) ORDER BY d.bus_address")
  List<DeviceOfInstance> devicesOf(@BindList("ids") List<String> instanceIds);

  @SqlQuery("SELECT id, name, cpu_cores, cpu_mhz, memory_mb, vgpu_profile_id, gpu_count, gpu_display, numa_policy"
      + " FROM offerings WHERE id = :id")
  Optional<OfferingRow> offering(@Bind("id") String id);

  @SqlQuery("SELECT COUNT(*) FROM templates WHERE id = :id")
  int templateExists(@Bind("id") String id);

  @SqlQuery("SELECT account_id FROM projects WHERE id = :id")
  Optional<String> projectAccount(@Bind("id") String id);

  @SqlQuery("SELECT path FROM domains WHERE id = :id")
  String domainPath(@Bind("id") String domainId);

  @SqlQuery("SELECT d.path FROM accounts a JOIN domains d ON d.id = a.domain_id WHERE a.id = :id")
  String accountDomainPath(@Bind("id") String accountId);

  @SqlQuery("SELECT name FROM accounts WHERE id = :id")
  String accountName(@Bind("id") String accountId);

  @SqlUpdate("INSERT INTO instances (id, name, vm_name, account_id, project_id, user_id, offering_id, template_id,"
      + " vgpu_profile_id, gpu_count, cpu_cores, cpu_mhz, memory_mb, gpu_display, numa_policy, state, workflow_id)"
      + " VALUES (:id, :name, :vmName, :accountId, :projectId, :userId, :o.id, :templateId, :o.vgpuProfileId,"
      + " :o.gpuCount, :o.cpuCores, :o.cpuMhz, :o.memoryMb, :o.gpuDisplay, :o.numaPolicy, 'Creating', :workflowId)")
  void insert(@Bind("id") String id, @Bind("name") String name, @Bind("vmName") String vmName,
      @Bind("accountId") String accountId, @Bind("projectId") String projectId, @Bind("userId") String userId,
      @org.jdbi.v3.sqlobject.customizer.BindMethods("o") OfferingRow offering, @Bind("templateId") String templateId,
      @Bind("workflowId") String workflowId);

  @SqlQuery("SELECT body FROM idempotency_keys WHERE user_id = :userId AND idem_key = :key")
  Optional<String> idempotentReply(@Bind("userId") String userId, @Bind("key") String key);

  @SqlUpdate("INSERT INTO idempotency_keys (user_id, idem_key, status, body) VALUES (:userId, :key, 202, :body)")
  void rememberReply(@Bind("userId") String userId, @Bind("key") String key, @Bind("body") String body);
}
