package io.gpucloud.activities.instance;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * A short-lived, per-process view of which hosts have free devices of a profile (and room for an
 * offering's CPU/RAM), so planning does not count every free device of the fleet on every deploy.
 * It is only a hint: the reservation re-checks everything under the host's lock, and a host found
 * full is skipped and the plan redone without it, so a stale view costs an attempt, never
 * correctness. Entries live {@link #TTL_NANOS}; a reservation made here lowers the cached count at
 * once; an empty answer from an old entry is reloaded before it is believed.
 */
final class PlanCache {
  static final long TTL_NANOS = 250_000_000L;

  private record Key(String profileId, long cpuMhzTotal, long memoryMb) {}

  private static final class Entry {
    final long loadedAt = System.nanoTime();
    final Map<String, HostCandidate> hosts = new ConcurrentHashMap<>();

    boolean fresh() {
      return System.nanoTime() - loadedAt < TTL_NANOS;
    }
  }

  private final Map<Key, Entry> entries = new ConcurrentHashMap<>();
  private final Random random = new Random();

  /**
   * How many of the best-fitting hosts are shuffled: strict best fit sends every concurrent deploy
   * to the one host with the fewest free devices, where they queue on its lock; spreading them over
   * a few near-best hosts keeps packing tight and the locks apart.
   */
  static final int SPREAD = 32;

  /** Best fit first (fewest free that still fit), the first SPREAD shuffled, at most {@code limit}. */
  List<HostCandidate> candidates(String profileId, long cpuMhzTotal, long memoryMb, int count, List<String> excluded,
      int limit, Supplier<List<HostCandidate>> load) {
    Key key = new Key(profileId, cpuMhzTotal, memoryMb);
    Entry e = entries.get(key);
    boolean loadedNow = false;
    if (e == null || !e.fresh()) {
      e = reload(key, load);
      loadedNow = true;
    }
    List<HostCandidate> out = pick(e, count, excluded, limit);
    if (out.isEmpty() && !loadedNow) {
      out = pick(reload(key, load), count, excluded, limit);
    }
    return out;
  }

  /** A reservation of {@code count} devices of the profile on the host was just made. */
  void taken(String profileId, String hostId, int count) {
    entries.forEach((k, e) -> {
      if (k.profileId().equals(profileId)) {
        e.hosts.computeIfPresent(hostId, (id, h) -> new HostCandidate(id, h.hostName(), h.freeDevices() - count));
      }
    });
  }

  private Entry reload(Key key, Supplier<List<HostCandidate>> load) {
    Entry e = new Entry();
    for (HostCandidate h : load.get()) {
      e.hosts.put(h.hostId(), h);
    }
    entries.put(key, e);
    return e;
  }

  private List<HostCandidate> pick(Entry e, int count, List<String> excluded, int limit) {
    List<HostCandidate> fit = new ArrayList<>();
    for (HostCandidate h : e.hosts.values()) {
      if (h.freeDevices() >= count && !excluded.contains(h.hostId())) {
        fit.add(h);
      }
    }
    Collections.shuffle(fit, random);
    fit.sort(Comparator.comparingInt(HostCandidate::freeDevices)); // stable: ties stay shuffled
    Collections.shuffle(fit.subList(0, Math.min(SPREAD, fit.size())), random);
    return List.copyOf(fit.subList(0, Math.min(limit, fit.size())));
  }
}
