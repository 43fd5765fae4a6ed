package io.gpucloud.controlplane.queue;

import io.gpucloud.controlplane.limits.Limits;
import io.gpucloud.controlplane.limits.Resource;
import io.gpucloud.controlplane.limits.ScopeType;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jdbi.v3.core.Handle;

/** What an admission pass (and GET /queue) reads: the waiters, the accounts' shares, the pools' capacity. */
public final class QueueReads {
  private final Handle h;

  public QueueReads(Handle h) {
    this.h = h;
  }

  /** Every Queued request (optionally of one pool), with what placing it needs. */
  public List<Waiter> waiters(String poolKey) {
    return h.createQuery("SELECT q.instance_id, i.account_id, q.pool_key, i.vgpu_profile_id, p.name AS profile_name,"
            + " i.gpu_count, i.cpu_cores * i.cpu_mhz AS cpu, i.memory_mb, q.priority,"
            + " FLOOR(UNIX_TIMESTAMP(q.requested_at) * 1000000) AS requested_us, q.batch_id, q.gang, q.wait_for_quota,"
            + " q.wait_reason FROM instances i JOIN queue_requests q ON q.instance_id = i.id"
            + " LEFT JOIN vgpu_profiles p ON p.id = i.vgpu_profile_id"
            + " WHERE i.state = 'Queued' AND (:pool IS NULL OR q.pool_key = :pool)")
        .bind("pool", poolKey)
        .map((rs, ctx) -> new Waiter(rs.getString("instance_id"), rs.getString("account_id"), rs.getString("pool_key"),
            rs.getString("vgpu_profile_id"), rs.getString("profile_name"), rs.getInt("gpu_count"), rs.getLong("cpu"),
            rs.getLong("memory_mb"), rs.getInt("priority"), rs.getLong("requested_us"), rs.getString("batch_id"),
            rs.getBoolean("gang"), rs.getBoolean("wait_for_quota"), rs.getString("wait_reason")))
        .list();
  }

  /** GPUs each account holds now and its effective GPU limit (the account's own; -1 unlimited). */
  public Map<String, AdmissionOrder.Share> shares(List<String> accountIds) {
    Map<String, AdmissionOrder.Share> out = new HashMap<>();
    Limits limits = new Limits();
    for (String a : accountIds) {
      var gpu = limits.usage(h, ScopeType.ACCOUNT, a).get(Resource.GPU);
      out.put(a, new AdmissionOrder.Share(gpu.total(), gpu.limit()));
    }
    return out;
  }

  /** Managed, usable devices of the pool's card on hosts that take instances (fair share of unlimited accounts). */
  public long poolDevices(String poolKey) {
    return h.createQuery("SELECT COUNT(*) FROM gpu_devices d JOIN hosts h ON h.id = d.host_id"
            + " WHERE d.card_id = :pool AND d.type <> 'VGPU_ONLY' AND d.managed_state = 'Managed' AND d.state <> 'Error'"
            + " AND h.state = 'Up' AND h.resource_state = 'Enabled'")
        .bind("pool", poolKey).mapTo(Long.class).one();
  }

  /**
   * Per host that takes instances (Up, Enabled): its free devices of the profile and all it has; free as
   * placement counts it (Free, Managed, held by nobody).
   */
  public Map<String, Backfill.HostRoom> rooms(String profileId) {
    Map<String, Backfill.HostRoom> out = new HashMap<>();
    h.createQuery("SELECT d.host_id, SUM(d.state = 'Free' AND d.instance_id IS NULL) AS free, COUNT(*) AS total"
            + " FROM gpu_devices d JOIN hosts h ON h.id = d.host_id"
            + " WHERE d.profile_id = :profileId AND d.type <> 'VGPU_ONLY' AND d.managed_state = 'Managed'"
            + " AND d.state <> 'Error' AND h.state = 'Up' AND h.resource_state = 'Enabled' GROUP BY d.host_id")
        .bind("profileId", profileId)
        .map((rs, ctx) -> new Backfill.HostRoom(rs.getString(1), rs.getInt(2), rs.getInt(3)))
        .forEach(r -> out.put(r.hostId(), r));
    return out;
  }

  /** The hosts with room for this much CPU and RAM (and Up, Enabled), whatever their devices. */
  public List<String> hostsWithRoom(long cpuMhzTotal, long memoryMb) {
    return h.createQuery("SELECT h.id FROM hosts h LEFT JOIN (SELECT i.host_id, SUM(i.cpu_cores * i.cpu_mhz) AS cpu,"
            + " SUM(i.memory_mb) AS mem FROM instances i WHERE i.host_id IS NOT NULL AND i.state NOT IN ('Destroyed', 'Queued')"
            + " GROUP BY i.host_id) u ON u.host_id = h.id WHERE h.state = 'Up' AND h.resource_state = 'Enabled'"
            + " AND h.cpu_cores * h.cpu_mhz - COALESCE(u.cpu, 0) >= :cpu AND h.memory_mb - COALESCE(u.mem, 0) >= :mem")
        .bind("cpu", cpuMhzTotal).bind("mem", memoryMb).mapTo(String.class).list();
  }

  /** Per batch, its members that are not Destroyed (a gang is complete when all of them are Queued). */
  public Map<String, Integer> liveMembers(List<String> batchIds) {
    Map<String, Integer> out = new HashMap<>();
    if (batchIds.isEmpty()) {
      return out;
    }
    h.createQuery("SELECT batch_id, COUNT(*) FROM instances WHERE batch_id IN (<ids>) AND state <> 'Destroyed'"
            + " GROUP BY batch_id")
        .bindList("ids", batchIds)
        .map((rs, ctx) -> Map.entry(rs.getString(1), rs.getInt(2)))
        .forEach(e -> out.put(e.getKey(), e.getValue()));
    return out;
  }

  /** The pool's claim: the head's instance id and the hosts kept for it; null when none. */
  public Claim claim(String poolKey) {
    return h.createQuery("SELECT claim_instance_id, claim_hosts FROM admission_claims WHERE pool_key = :pool")
        .bind("pool", poolKey)
        .map((rs, ctx) -> new Claim(rs.getString(1), List.of(rs.getString(2).split(","))))
        .findOne().orElse(null);
  }

  /** The hosts kept for a pool's head. */
  public record Claim(String headInstanceId, List<String> hostIds) {}
}
