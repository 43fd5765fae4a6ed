package io.gpucloud.controlplane.queue;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AdmissionOrderTest {
  private static int seq;

  static Waiter w(String id, String account, int priority, long at, int gpus) {
    return new Waiter(id, account, "card", "p", "sim", gpus, 1000, 512, priority, at, null, false, false, null);
  }

  static List<String> ids(List<AdmissionUnit> units) {
    return units.stream().map(u -> u.first().instanceId()).toList();
  }

  static List<AdmissionUnit> singles(Waiter... ws) {
    return AdmissionUnit.of(List.of(ws));
  }

  @Test
  void higherPriorityGoesFirstWhateverItsAgeOrAccount() {
    var order = AdmissionOrder.order(singles(w("old", "a", 0, 1, 1), w("urgent", "a", 9, 100, 1),
        w("mid", "b", 5, 50, 1)), Map.of(), 10);
    assertThat(ids(order)).containsExactly("urgent", "mid", "old");
  }

  @Test
  void withinAPriorityTheAccountHoldingLeastOfItsLimitGoesNextAndSharesInterleave() {
    // a holds 10 of 40, b 0 of 40, c 0 of 20: b and c first, alternating by share, then a joins at 10/40
    List<Waiter> ws = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      ws.add(w("a" + i, "a", 0, i, 1));
      ws.add(w("b" + i, "b", 0, 100 + i, 1));
      ws.add(w("c" + i, "c", 0, 200 + i, 1));
    }
    var order = AdmissionOrder.order(AdmissionUnit.of(ws), Map.of("a", new AdmissionOrder.Share(10, 40),
        "b", new AdmissionOrder.Share(0, 40), "c", new AdmissionOrder.Share(0, 20)), 100);
    // b0 (0/40, older than c0), c0 (0/20), b1 (1/40 < c 1/20), b2 (2/40 = c 1/20: b's head is older), c1, ...
    assertThat(ids(order).subList(0, 6)).containsExactly("b0", "c0", "b1", "b2", "c1", "b3");
    // a (10/40 = 0.25) waits until b reaches 10/40 or c 5/20, although its requests are the oldest
    assertThat(ids(order).indexOf("a0")).isGreaterThan(ids(order).indexOf("c4"));
  }

  @Test
  void fifoBreaksTiesAndOneAccountsFloodDoesNotStarveTheOthers() {
    List<Waiter> ws = new ArrayList<>();
    for (int i = 0; i < 500; i++) {
      ws.add(w("flood" + i, "flood", 0, i, 1));
    }
    ws.add(w("late", "other", 0, 10_000, 1));
    var order = AdmissionOrder.order(AdmissionUnit.of(ws), Map.of("flood", new AdmissionOrder.Share(0, 1000),
        "other", new AdmissionOrder.Share(0, 1000)), 1000);
    assertThat(ids(order).subList(0, 2)).containsExactly("flood0", "late"); // equal shares: FIFO, then other's turn
  }

  @Test
  void aGangIsOneUnitCountedWithAllItsGpus() {
    Waiter g1 = new Waiter("g1", "a", "card", "p", "sim", 2, 1000, 512, 0, 5, "batch", true, false, null);
    Waiter g2 = new Waiter("g2", "a", "card", "p", "sim", 2, 1000, 512, 0, 5, "batch", true, false, null);
    var units = AdmissionUnit.of(List.of(g2, w("x", "b", 0, 1, 1), g1));
    assertThat(units).hasSize(2);
    AdmissionUnit gang = units.stream().filter(AdmissionUnit::gang).findFirst().orElseThrow();
    assertThat(gang.gpus()).isEqualTo(4);
    assertThat(gang.members()).extracting(Waiter::instanceId).containsExactly("g1", "g2");
  }

  @Test
  void anUnlimitedAccountIsCountedAgainstThePoolsDevices() {
    // u holds 50 of an unlimited limit over a pool of 100 (0.5); l holds 4 of 10 (0.4): l first
    var order = AdmissionOrder.order(singles(w("u", "u", 0, 1, 1), w("l", "l", 0, 2, 1)),
        Map.of("u", new AdmissionOrder.Share(50, -1), "l", new AdmissionOrder.Share(4, 10)), 100);
    assertThat(ids(order)).containsExactly("l", "u");
  }
}
