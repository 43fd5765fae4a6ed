package io.gpucloud.controlplane.queue;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.TreeMap;

/**
 * The order in which one pool's waiting units are offered capacity (README, "Queued and batch deploys"):
 * <ol>
 *   <li>higher priority first;
 *   <li>within a priority, fair share: the account holding the fewest GPUs relative to its GPU limit goes
 *       next, counting what the units placed before it in this order would hold, so that one account's
 *       500 requests interleave with the others' instead of going first;
 *   <li>then FIFO (request time; the instance or batch id breaks exact ties).
 * </ol>
 * Pure: the caller gives each account's held GPUs and effective GPU limit.
 */
public final class AdmissionOrder {
  /** GPUs an account holds now and its GPU limit (-1: unlimited, then counted against {@code cloudGpus}). */
  public record Share(long held, long limit) {}

  private AdmissionOrder() {}

  public static List<AdmissionUnit> order(List<AdmissionUnit> units, Map<String, Share> shares, long cloudGpus) {
    TreeMap<Integer, List<AdmissionUnit>> byPriority = new TreeMap<>(Comparator.reverseOrder());
    units.forEach(u -> byPriority.computeIfAbsent(u.priority(), p -> new ArrayList<>()).add(u));
    Map<String, Long> held = new HashMap<>();
    shares.forEach((a, s) -> held.put(a, s.held()));
    List<AdmissionUnit> out = new ArrayList<>(units.size());
    for (List<AdmissionUnit> level : byPriority.values()) {
      Map<String, Deque<AdmissionUnit>> perAccount = new HashMap<>();
      level.stream().sorted(FIFO).forEach(u -> perAccount.computeIfAbsent(u.accountId(), a -> new ArrayDeque<>()).add(u));
      PriorityQueue<String> next = new PriorityQueue<>((a, b) -> {
        int c = compareShare(held.getOrDefault(a, 0L), limitOf(shares, a, cloudGpus),
            held.getOrDefault(b, 0L), limitOf(shares, b, cloudGpus));
        return c != 0 ? c : FIFO.compare(perAccount.get(a).peekFirst(), perAccount.get(b).peekFirst());
      });
      next.addAll(perAccount.keySet());
      while (!next.isEmpty()) {
        String account = next.poll();
        AdmissionUnit u = perAccount.get(account).pollFirst();
        out.add(u);
        held.merge(account, (long) u.gpus(), Long::sum);
        if (!perAccount.get(account).isEmpty()) {
          next.add(account); // re-keyed with its new share
        }
      }
    }
    return out;
  }

  private static final Comparator<AdmissionUnit> FIFO =
      Comparator.comparingLong(AdmissionUnit::requestedAtMicros).thenComparing(AdmissionUnit::key);

  private static long limitOf(Map<String, Share> shares, String account, long cloudGpus) {
    Share s = shares.get(account);
    long limit = s == null ? -1 : s.limit();
    return limit < 0 ? Math.max(1, cloudGpus) : Math.max(1, limit);
  }

  /** heldA / limitA against heldB / limitB, exactly (cross-multiplied). */
  static int compareShare(long heldA, long limitA, long heldB, long limitB) {
    return Long.compare(heldA * limitB, heldB * limitA);
  }
}
