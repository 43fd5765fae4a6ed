package io.gpucloud.controlplane.instance;

import java.util.Arrays;
import java.util.List;
import org.jdbi.v3.core.Handle;

/**
 * What the queue asks of a deploy's first placement (see {@link Placement#place}): whether the request
 * must go to the queue instead of placing itself now, and which hosts' free devices are kept for the
 * blocked head of its pool (no deploy but that head's may take them).
 */
record QueueGate(boolean mustQueue, List<String> claimedHosts) {
  /** The pool a request competes in: the GPU card of its profile ('none' without GPUs). */
  static final String POOL_OF_INSTANCE = "COALESCE((SELECT p.card_id FROM vgpu_profiles p WHERE p.id = i.vgpu_profile_id"
      + " AND i.gpu_count > 0), 'none')";

  /** The request's priority, or null when it did not ask to queue (no queue row). */
  private static Integer priorityOrNull(java.sql.ResultSet rs) throws java.sql.SQLException {
    int p = rs.getInt("priority");
    return rs.wasNull() ? null : p;
  }

  static QueueGate read(Handle h, InstanceRow i) {
    record Row(String pool, Integer priority, boolean gang, int ahead, String claimOf, String claimHosts) {}
    Row r = h.createQuery("SELECT x.pool, q.priority, COALESCE(q.gang, 0) AS gang,"
            + " (SELECT COUNT(*) FROM queue_requests w JOIN instances wi ON wi.id = w.instance_id"
            + "   WHERE q.instance_id IS NOT NULL AND w.pool_key = x.pool AND wi.state = 'Queued'"
            + "   AND w.priority >= q.priority AND w.instance_id <> x.id) AS ahead,"
            + " c.claim_instance_id, c.claim_hosts"
            + " FROM (SELECT i.id, " + POOL_OF_INSTANCE + " AS pool FROM instances i WHERE i.id = :id) x"
            + " LEFT JOIN queue_requests q ON q.instance_id = x.id"
            + " LEFT JOIN admission_claims c ON c.pool_key = x.pool")
        .bind("id", i.id())
        .map((rs, ctx) -> new Row(rs.getString("pool"), priorityOrNull(rs), rs.getBoolean("gang"),
            rs.getInt("ahead"), rs.getString("claim_instance_id"), rs.getString("claim_hosts")))
        .one();
    boolean queueable = r.priority() != null;
    boolean mustQueue = queueable && (r.gang() || r.ahead() > 0);
    List<String> claimed = r.claimHosts() == null || r.claimHosts().isBlank() || i.id().equals(r.claimOf())
        ? List.of() : Arrays.asList(r.claimHosts().split(","));
    return new QueueGate(mustQueue, claimed);
  }
}
