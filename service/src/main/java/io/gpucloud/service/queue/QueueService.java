package io.gpucloud.service.queue;

import io.gpucloud.controlplane.queue.AdmissionOrder;
import io.gpucloud.controlplane.queue.AdmissionUnit;
import io.gpucloud.controlplane.queue.QueueReads;
import io.gpucloud.controlplane.queue.Waiter;
import io.gpucloud.service.auth.Caller;
import io.gpucloud.service.auth.Scope;
import io.gpucloud.service.common.Checks;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.jdbi.v3.core.Jdbi;

/**
 * The waiting requests in admission order. Positions come from the same {@link AdmissionOrder} the
 * admission pass uses, over every waiter of the pool (a tenant sees its own requests with their place
 * among everyone's); the reason is what the last pass said.
 */
public class QueueService {
  private final Jdbi jdbi;

  public QueueService(Jdbi jdbi) {
    this.jdbi = jdbi;
  }

  public List<QueueEntryView> list(Caller caller, String profileId, String accountId) {
    String profile = Checks.optionalId("profileId", profileId);
    String account = Checks.optionalId("accountId", accountId);
    return jdbi.withHandle(h -> {
      Scope scope = Scope.read(h, caller);
      QueueReads reads = new QueueReads(h);
      List<Waiter> all = reads.waiters(null);
      record Extra(String name, String accountName, String domainPath, String cardName, long maxWaitMs) {}
      Map<String, Extra> extra = new HashMap<>();
      if (!all.isEmpty()) {
        h.createQuery("SELECT i.id, i.name, a.name AS account_name, d.path, c.name AS card_name, q.max_wait_ms"
                + " FROM instances i JOIN accounts a ON a.id = i.account_id JOIN domains d ON d.id = a.domain_id"
                + " JOIN queue_requests q ON q.instance_id = i.id LEFT JOIN gpu_cards c ON c.id = q.pool_key"
                + " WHERE i.id IN (<ids>)")
            .bindList("ids", all.stream().map(Waiter::instanceId).toList())
            .map((rs, ctx) -> Map.entry(rs.getString("id"), new Extra(rs.getString("name"), rs.getString("account_name"),
                rs.getString("path"), rs.getString("card_name"), rs.getLong("max_wait_ms"))))
            .forEach(e -> extra.put(e.getKey(), e.getValue()));
      }
      List<QueueEntryView> out = new ArrayList<>();
      long nowMicros = Instant.now().toEpochMilli() * 1000;
      Map<String, List<Waiter>> byPool = all.stream().collect(Collectors.groupingBy(Waiter::poolKey,
          LinkedHashMap::new, Collectors.toList()));
      for (Map.Entry<String, List<Waiter>> pool : byPool.entrySet()) {
        List<Waiter> waiters = pool.getValue();
        Map<String, AdmissionOrder.Share> shares = reads.shares(waiters.stream().map(Waiter::accountId).distinct().toList());
        int position = 0;
        for (AdmissionUnit u : AdmissionOrder.order(AdmissionUnit.of(waiters), shares, reads.poolDevices(pool.getKey()))) {
          position++;
          for (Waiter w : u.members()) {
            Extra x = extra.get(w.instanceId());
            if (x == null || !scope.seesInstance(w.accountId(), x.domainPath())
                || (profile != null && !profile.equals(w.profileId())) || (account != null && !account.equals(w.accountId()))) {
              continue;
            }
            out.add(new QueueEntryView(w.instanceId(), x.name(), w.accountId(), x.accountName(), w.batchId(), w.gang(),
                x.cardName(), w.profileId(), w.profileName(), w.gpuCount(), w.priority(), position,
                Math.max(0, nowMicros - w.requestedAtMicros()) / 1e6, Duration.ofMillis(x.maxWaitMs()).toString(),
                Instant.EPOCH.plusNanos(w.requestedAtMicros() * 1000).toString(),
                w.waitReason() == null ? "not looked at yet" : w.waitReason()));
          }
        }
      }
      out.sort(Comparator.comparing(QueueEntryView::cardName, Comparator.nullsFirst(Comparator.naturalOrder()))
          .thenComparingInt(QueueEntryView::position));
      return out;
    });
  }
}
