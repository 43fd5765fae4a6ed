package io.gpucloud.controlplane.instance;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.IntUnaryOperator;
import java.util.function.Supplier;

/**
 * A short-lived, per-process view of which hosts have free devices of a profile (and room for an
 * offering's CPU/RAM), so planning does not count every free device of the fleet on every deploy.
 * It is only a hint: the reservation re-checks everything under the host's lock, and a host found
 * full is skipped and the plan redone without it, so a stale view costs an attempt, never
 * correctness. Entries live {@link #TTL_NANOS}; a reservation made here lowers the cached count at
 * once, and a host found full corrects it; an empty answer from an old entry is reloaded before it
 * is believed. One thread reloads an expired entry while the others keep planning from the old one:
 * the reload counts every free device of the profile, and a burst of deploys each reloading at once
 * was most of the database's work (ReservationBench: 425 reloads for 6,900 reservations).
 */
final class PlanCache {
  static final long TTL_NANOS = 1_000_000_000L;

  private record Key(String profileId, long cpuMhzTotal, long memoryMb) {}

  private static final class Entry {
    final long loadedAt = System.nanoTime();
    final Map<String, HostCandidate> hosts = new ConcurrentHashMap<>();

    boolean fresh(long ttlNanos) {
      return System.nanoTime() - loadedAt < ttlNanos;
    }
  }

  private final Map<Key, Entry> entries = new ConcurrentHashMap<>();
  private final Map<Key, ReentrantLock> reloads = new ConcurrentHashMap<>();
  private final long ttlNanos;
  private final Random random = new Random();

  PlanCache() {
    this(TTL_NANOS);
  }

  PlanCache(long ttlNanos) {
    this.ttlNanos = ttlNanos;
  }

  /**
   * How many of the best-fitting hosts are shuffled: strict best fit sends every concurrent deploy
   * to the one host with the fewest free devices, where they queue on its lock; spreading them over
   * a few near-best hosts keeps packing tight and the locks apart.
   */
  static final int SPREAD = 32;

  /** Best fit first (fewest free that still fit), the first SPREAD shuffled, at most {@code limit}. */
  List<HostCandidate> candidates(String profileId, long cpuMhzTotal, long memoryMb, int count, List<String> excluded,
      int limit, Supplier<List<HostCandidate>> load) {
    long calledAt = System.nanoTime();
    Key key = new Key(profileId, cpuMhzTotal, memoryMb);
    Entry e = entries.get(key);
    if (e == null) {
      e = refresh(key, null, load, true);
    } else if (!e.fresh(ttlNanos)) {
      e = refresh(key, e, load, false); // the old entry when another thread is reloading it
    }
    List<HostCandidate> out = pick(e, count, excluded, limit);
    if (out.isEmpty() && e.loadedAt < calledAt) {
      out = pick(refresh(key, e, load, true), count, excluded, limit);
    }
    return out;
  }

  /** A reservation of {@code count} devices of the profile on the host was just made. */
  void taken(String profileId, String hostId, int count) {
    setFree(profileId, hostId, free -> free - count);
  }

  /** A reservation found {@code free} devices of the profile on the host, too few for it. */
  void found(String profileId, String hostId, int free) {
    setFree(profileId, hostId, cached -> free);
  }

  private void setFree(String profileId, String hostId, IntUnaryOperator change) {
    entries.forEach((k, e) -> {
      if (k.profileId().equals(profileId)) {
        e.hosts.computeIfPresent(hostId,
            (id, h) -> new HostCandidate(id, h.hostName(), change.applyAsInt(h.freeDevices())));
      }
    });
  }

  /** The cached count of the profile's free devices on the host for this CPU/RAM, -1 when none is cached (tests). */
  int cachedFree(String profileId, long cpuMhzTotal, long memoryMb, String hostId) {
    Entry e = entries.get(new Key(profileId, cpuMhzTotal, memoryMb));
    HostCandidate h = e == null ? null : e.hosts.get(hostId);
    return h == null ? -1 : h.freeDevices();
  }

  /** A reservation found the host without room for this CPU/RAM (or not Up and Enabled). */
  void noRoom(String profileId, long cpuMhzTotal, long memoryMb, String hostId) {
    Entry e = entries.get(new Key(profileId, cpuMhzTotal, memoryMb));
    if (e != null) {
      e.hosts.remove(hostId);
    }
  }

  /**
   * A newer entry than {@code seen}: the one another thread loaded meanwhile, or one loaded now.
   * Without {@code wait}, returns {@code seen} when another thread is loading already.
   */
  private Entry refresh(Key key, Entry seen, Supplier<List<HostCandidate>> load, boolean wait) {
    ReentrantLock lock = reloads.computeIfAbsent(key, k -> new ReentrantLock());
    if (wait) {
      lock.lock();
    } else if (!lock.tryLock()) {
      return seen;
    }
    try {
      Entry current = entries.get(key);
      if (current != null && current != seen) {
        return current;
      }
      Entry e = new Entry();
      for (HostCandidate h : load.get()) {
        e.hosts.put(h.hostId(), h);
      }
      entries.put(key, e);
      return e;
    } finally {
      lock.unlock();
    }
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
