package io.gpucloud.controlplane.instance;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class PlanCacheTest {
  final AtomicInteger loads = new AtomicInteger();

  List<HostCandidate> fleet(int hosts) {
    loads.incrementAndGet();
    List<HostCandidate> out = new ArrayList<>();
    for (int i = 0; i < hosts; i++) {
      out.add(new HostCandidate("h" + i, "H" + i, 1 + i % 8)); // free devices 1..8
    }
    return out;
  }

  @Test
  void filtersByCountAndExclusionAndPrefersTheFullestHosts() {
    PlanCache cache = new PlanCache();
    List<HostCandidate> plan = cache.candidates("p", 100, 128, 4, List.of("h3"), 16, () -> fleet(200));
    assertThat(plan).hasSize(16).allSatisfy(h -> {
      assertThat(h.freeDevices()).isGreaterThanOrEqualTo(4);
      assertThat(h.hostId()).isNotEqualTo("h3");
    });
    // near best fit: drawn from the SPREAD (32) fullest hosts that still fit: the 24 with 4 free
    // (h3 excluded) and then hosts with 5 free; never from the emptier ones
    assertThat(PlanCache.SPREAD).isEqualTo(32);
    assertThat(plan).allSatisfy(h -> assertThat(h.freeDevices()).isBetween(4, 5));
    assertThat(loads.get()).isEqualTo(1);
  }

  @Test
  void aReservationMadeHereLowersTheCachedCountAtOnce() {
    PlanCache cache = new PlanCache();
    List<HostCandidate> one = List.of(new HostCandidate("h1", "H1", 2));
    assertThat(cache.candidates("p", 1, 1, 2, List.of(), 16, () -> one)).hasSize(1);
    cache.taken("p", "h1", 1);
    // h1 has 1 left: a 2-GPU plan finds nothing in the cache and reloads before believing it
    List<HostCandidate> reloaded = new ArrayList<>();
    assertThat(cache.candidates("p", 1, 1, 2, List.of(), 16, () -> {
      loads.incrementAndGet();
      return reloaded;
    })).isEmpty();
    assertThat(loads.get()).isEqualTo(1);
  }

  @Test
  void staleEmptyAnswersAreReloaded() {
    PlanCache cache = new PlanCache();
    assertThat(cache.candidates("p", 1, 1, 1, List.of(), 16, List::of)).isEmpty();
    // devices were freed meanwhile: the next plan reloads instead of trusting the empty view
    assertThat(cache.candidates("p", 1, 1, 1, List.of(), 16, () -> fleet(3))).hasSize(3);
  }

  @Test
  void whileOneThreadReloadsAnExpiredEntryTheOthersPlanFromTheOldOne() throws Exception {
    PlanCache cache = new PlanCache(0); // every entry is expired at once
    assertThat(cache.candidates("p", 1, 1, 1, List.of(), 16, () -> fleet(2))).hasSize(2);
    CountDownLatch inLoad = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    CompletableFuture<List<HostCandidate>> reloading = CompletableFuture.supplyAsync(
        () -> cache.candidates("p", 1, 1, 1, List.of(), 16, () -> {
          inLoad.countDown();
          try {
            release.await(10, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          return fleet(5);
        }));
    assertThat(inLoad.await(10, TimeUnit.SECONDS)).isTrue();
    // the entry is expired, but it is being reloaded: no second load, the old view answers
    assertThat(cache.candidates("p", 1, 1, 1, List.of(), 16, () -> fleet(9))).hasSize(2);
    release.countDown();
    assertThat(reloading.get(10, TimeUnit.SECONDS)).hasSize(5);
    assertThat(loads.get()).isEqualTo(2);
  }

  @Test
  void aHostFoundFullOrWithoutRoomIsCorrectedInTheView() {
    PlanCache cache = new PlanCache();
    List<HostCandidate> two = List.of(new HostCandidate("h1", "H1", 4), new HostCandidate("h2", "H2", 4));
    assertThat(cache.candidates("p", 100, 128, 4, List.of(), 16, () -> two)).hasSize(2);
    cache.found("p", "h1", 1); // another replica took three of h1's devices
    assertThat(cache.candidates("p", 100, 128, 4, List.of(), 16, () -> two))
        .extracting(HostCandidate::hostId).containsExactly("h2");
    assertThat(cache.candidates("p", 100, 128, 1, List.of(), 16, () -> two))
        .extracting(HostCandidate::hostId).containsExactlyInAnyOrder("h1", "h2");
    cache.noRoom("p", 100, 128, "h2"); // h2's CPU is taken: gone for this offering's size
    assertThat(cache.candidates("p", 100, 128, 1, List.of(), 16, () -> two))
        .extracting(HostCandidate::hostId).containsExactly("h1");
  }
}
