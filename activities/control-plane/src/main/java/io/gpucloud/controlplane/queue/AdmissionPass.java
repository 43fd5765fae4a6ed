package io.gpucloud.controlplane.queue;

import io.gpucloud.activities.instance.InstanceActivities;
import io.gpucloud.controlplane.instance.Admitter;
import io.gpucloud.controlplane.instance.QueueSteps;
import io.temporal.failure.ApplicationFailure;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.jdbi.v3.core.Jdbi;

/**
 * One admission pass over every pool with waiters: the units in {@link AdmissionOrder}, each placed when
 * the pass's view of the pool (free devices per host, hosts with CPU/RAM room) says it fits, through
 * {@link Admitter} (the reservation transaction every deploy uses, so the view is only a filter: a stale
 * view costs one failed attempt, never a double allocation). A unit the view cannot fit costs no
 * attempt, so a freed GPU costs one placement, not one per waiter. The first unit that cannot be placed
 * claims hosts for itself ({@link Backfill}); units behind it may not use them.
 */
public final class AdmissionPass {
  private final Jdbi jdbi;
  private final Admitter admitter;
  private final Consumer<String> wake;

  /** What one pass did: units admitted, placement attempts made, requests still waiting. */
  public record Result(int admitted, int attempts, int waiting) {}

  public AdmissionPass(Jdbi jdbi, Admitter admitter, Consumer<String> wake) {
    this.jdbi = jdbi;
    this.admitter = admitter;
    this.wake = wake;
  }

  public Result run() {
    List<Waiter> all = jdbi.withHandle(h -> new QueueReads(h).waiters(null));
    Map<String, List<Waiter>> byPool = all.stream().collect(Collectors.groupingBy(Waiter::poolKey));
    jdbi.useHandle(h -> {
      if (byPool.isEmpty()) {
        h.execute("DELETE FROM admission_claims");
      } else {
        h.createUpdate("DELETE FROM admission_claims WHERE pool_key NOT IN (<pools>)")
            .bindList("pools", List.copyOf(byPool.keySet())).execute();
      }
    });
    int admitted = 0;
    int attempts = 0;
    int waiting = 0;
    for (Map.Entry<String, List<Waiter>> pool : byPool.entrySet()) {
      PoolPass p = new PoolPass(pool.getKey(), pool.getValue());
      p.run();
      admitted += p.admitted;
      attempts += p.attempts;
      waiting += p.waiting;
    }
    return new Result(admitted, attempts, waiting);
  }

  /** One pool's pass, with its view of the pool. */
  private final class PoolPass {
    private final String pool;
    private final List<Waiter> waiters;
    private final Map<String, Map<String, Backfill.HostRoom>> rooms = new HashMap<>(); // profile -> host -> room
    private final Map<String, Set<String>> roomy = new HashMap<>(); // "cpu/mem" -> hosts with that room
    private final Map<String, String> reasons = new LinkedHashMap<>();
    private Map<String, AdmissionOrder.Share> shares;
    int admitted;
    int attempts;
    int waiting;

    PoolPass(String pool, List<Waiter> waiters) {
      this.pool = pool;
      this.waiters = waiters;
    }

    void run() {
      record Snapshot(Map<String, AdmissionOrder.Share> shares, long poolDevices, Map<String, Integer> live,
          QueueReads.Claim claim) {}
      Snapshot s = jdbi.withHandle(h -> {
        QueueReads q = new QueueReads(h);
        return new Snapshot(q.shares(waiters.stream().map(Waiter::accountId).distinct().toList()),
            q.poolDevices(pool), q.liveMembers(waiters.stream().filter(Waiter::gang).map(Waiter::batchId).distinct()
                .toList()), q.claim(pool));
      });
      shares = new HashMap<>(s.shares());
      List<AdmissionUnit> units = AdmissionUnit.of(waiters);
      List<String> claimHosts = null;
      String claimHead = null;
      for (AdmissionUnit u : AdmissionOrder.order(units, shares, s.poolDevices())) {
        if (u.gang() && u.members().size() < s.live().getOrDefault(u.first().batchId(), 0)) {
          waitFor(u, "waiting for the rest of its gang (" + u.members().size() + " of "
              + s.live().get(u.first().batchId()) + " members queued)");
          continue;
        }
        AdmissionOrder.Share share = shares.get(u.accountId());
        if (share != null && share.limit() >= 0 && share.held() + u.gpus() > share.limit()) {
          quota(u, "quota: the account uses " + share.held() + " of its " + share.limit() + " GPUs and this needs "
              + u.gpus());
          continue;
        }
        Set<String> kept = claimHosts == null ? Set.of() : new HashSet<>(claimHosts);
        Map<String, String> plan = plan(u, kept);
        String outcome = plan == null ? null : admit(u, plan);
        if ("retry".equals(outcome)) { // the view was stale: read it again, once
          rooms.remove(u.first().profileId());
          roomy.remove(shape(u));
          plan = plan(u, kept);
          outcome = plan == null ? null : admit(u, plan);
        }
        if ("admitted".equals(outcome)) {
          admitted++;
          plan.forEach((instance, host) -> take(u.first().profileId(), host, u.gpusEach()));
          shares.merge(u.accountId(), new AdmissionOrder.Share(u.gpus(), -1),
              (a, b) -> new AdmissionOrder.Share(a.held() + b.held(), a.limit()));
          u.members().forEach(m -> wake.accept(m.instanceId()));
          continue;
        }
        if (outcome != null) {
          continue; // refused for quota, or no longer Queued: said already
        }
        String why = whyNot(u, kept);
        waitFor(u, why);
        if (claimHosts == null && u.gpusEach() > 0) {
          List<String> previous = s.claim() != null && s.claim().headInstanceId().equals(u.key())
              ? s.claim().hostIds() : List.of();
          Set<String> withRoom = roomy(u);
          List<Backfill.HostRoom> candidates = rooms(u.first().profileId()).values().stream()
              .filter(r -> withRoom.contains(r.hostId())).toList();
          claimHosts = Backfill.claim(u.members().size(), u.gpusEach(), candidates, previous);
          claimHead = u.key();
        }
      }
      saveClaim(claimHead, claimHosts);
      saveReasons();
    }

    /** A host for every member (best fit: the fewest free devices that still fit), or null. */
    private Map<String, String> plan(AdmissionUnit u, Set<String> kept) {
      Set<String> withRoom = roomy(u);
      Map<String, String> plan = new LinkedHashMap<>();
      if (u.gpusEach() == 0) {
        withRoom.stream().filter(h -> !kept.contains(h)).sorted().findFirst()
            .ifPresent(h -> plan.put(u.first().instanceId(), h));
        return plan.isEmpty() ? null : plan;
      }
      Map<String, Integer> free = new HashMap<>();
      rooms(u.first().profileId()).values().stream()
          .filter(r -> withRoom.contains(r.hostId()) && !kept.contains(r.hostId()))
          .forEach(r -> free.put(r.hostId(), r.free()));
      for (Waiter m : u.members()) {
        String host = free.entrySet().stream().filter(e -> e.getValue() >= m.gpuCount())
            .min(Map.Entry.<String, Integer>comparingByValue().thenComparing(Map.Entry.comparingByKey()))
            .map(Map.Entry::getKey).orElse(null);
        if (host == null) {
          return null;
        }
        plan.put(m.instanceId(), host);
        free.merge(host, -m.gpuCount(), Integer::sum);
      }
      return plan;
    }

    /** "admitted", "retry" (a host had no room after all), or "refused" (quota, or no longer Queued: said). */
    private String admit(AdmissionUnit u, Map<String, String> plan) {
      attempts++;
      try {
        boolean ok = u.members().size() == 1
            ? admitter.admit(u.first().instanceId(), plan.get(u.first().instanceId()))
            : admitter.admitGang(plan);
        return ok ? "admitted" : "retry";
      } catch (ApplicationFailure f) {
        if (InstanceActivities.LIMIT_EXCEEDED.equals(f.getType())) {
          quota(u, "quota: " + f.getOriginalMessage());
          return "refused";
        }
        if (InstanceActivities.INVALID_STATE.equals(f.getType())) {
          return "refused"; // withdrawn or expired meanwhile
        }
        throw f;
      }
    }

    private String whyNot(AdmissionUnit u, Set<String> kept) {
      if (!kept.isEmpty() && plan(u, Set.of()) != null) {
        return "behind a larger request: the free devices on its host(s) are kept for it";
      }
      String what = u.gpusEach() == 0 ? "room for its CPU and memory"
          : u.gpusEach() + " free " + (u.first().profileName() == null ? "" : u.first().profileName() + " ") + "devices";
      return u.members().size() > 1
          ? "no room for all " + u.members().size() + " members of the gang at once (" + what + " each)"
          : "no host with " + what + (u.gpusEach() == 0 ? "" : " and room for its CPU and memory");
    }

    /** Quota: a request that asked to wait for it waits; any other fails with the limit's reason. */
    private void quota(AdmissionUnit u, String reason) {
      if (u.first().waitForQuota()) {
        waitFor(u, reason);
        return;
      }
      for (Waiter m : u.members()) {
        jdbi.useTransaction(h -> QueueSteps.failQueued(h, m.instanceId(), reason.replaceFirst("^quota: ", "")));
        wake.accept(m.instanceId());
      }
    }

    private void waitFor(AdmissionUnit u, String reason) {
      waiting += u.members().size();
      u.members().forEach(m -> {
        if (!reason.equals(m.waitReason())) {
          reasons.put(m.instanceId(), reason);
        }
      });
    }

    private Map<String, Backfill.HostRoom> rooms(String profileId) {
      return rooms.computeIfAbsent(profileId, p -> p == null ? new HashMap<>()
          : new HashMap<>(jdbi.withHandle(h -> new QueueReads(h).rooms(p))));
    }

    private Set<String> roomy(AdmissionUnit u) {
      Waiter w = u.first();
      return roomy.computeIfAbsent(shape(u), k -> new HashSet<>(jdbi.withHandle(h -> new QueueReads(h)
          .hostsWithRoom(w.cpuMhzTotal(), w.memoryMb()))));
    }

    private String shape(AdmissionUnit u) {
      return u.first().cpuMhzTotal() + "/" + u.first().memoryMb();
    }

    private void take(String profileId, String hostId, int gpus) {
      Map<String, Backfill.HostRoom> r = rooms.get(profileId);
      if (r != null && r.containsKey(hostId)) {
        Backfill.HostRoom old = r.get(hostId);
        r.put(hostId, new Backfill.HostRoom(hostId, old.free() - gpus, old.total()));
      }
      roomy.clear(); // CPU/RAM changed on that host: read again when next needed
    }

    private void saveClaim(String head, List<String> hosts) {
      jdbi.useHandle(h -> {
        if (head == null || hosts == null || hosts.isEmpty()) {
          h.createUpdate("DELETE FROM admission_claims WHERE pool_key = :pool").bind("pool", pool).execute();
        } else {
          h.createUpdate("INSERT INTO admission_claims (pool_key, claim_instance_id, claim_hosts)"
                  + " VALUES (:pool, :head, :hosts) ON DUPLICATE KEY UPDATE claim_instance_id = VALUES(claim_instance_id),"
                  + " claim_hosts = VALUES(claim_hosts)")
              .bind("pool", pool).bind("head", head).bind("hosts", String.join(",", hosts)).execute();
        }
      });
    }

    private void saveReasons() {
      if (reasons.isEmpty()) {
        return;
      }
      jdbi.useHandle(h -> {
        var batch = h.prepareBatch("UPDATE queue_requests SET wait_reason = :reason WHERE instance_id = :id");
        reasons.forEach((id, reason) -> batch.bind("reason", reason.length() > 512 ? reason.substring(0, 512) : reason)
            .bind("id", id).add());
        batch.execute();
      });
    }
  }
}
