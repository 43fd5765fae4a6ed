package io.gpucloud.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Multi-GPU deploys racing for a fleet that fits only some of them: the 14 "ACS Multi Card" GPUs of
 * N1 (6) and M1 (8), test-only specs, and 6 four-GPU plus 10 two-GPU deploys started at once (44 GPUs
 * asked). Whatever the interleaving, no device is held twice, a Running instance holds exactly its
 * GPUs, a refused one holds none (never a partial set), and no deploy is refused while a host still
 * has room for it.
 */
class MultiGpuRaceTest {
  static final String CARD = "ACS Multi Card";
  static final List<String> HOSTS = List.of("N1", "M1");
  static final int FLEET = 14;

  static Stack stack;
  static String template;

  @BeforeAll
  static void up() {
    stack = Stack.get();
    stack.awaitHosts(HOSTS.toArray(String[]::new));
    template = Tenants.template(stack);
  }

  @Test
  void twoAndFourGpuDeploysRaceForFourteenGpus() throws Exception {
    assertThat(freePerHost().values().stream().mapToInt(Integer::intValue).sum()).as("the fleet is untouched")
        .isEqualTo(FLEET);
    Tenants.Tenant t = Tenants.tenant(stack, "multi", Tenants.unlimited());
    String four = Tenants.offering(stack, CARD, "passthrough", 4, 1, 100, 128);
    String two = Tenants.offering(stack, CARD, "passthrough", 2, 1, 100, 128);
    List<String> offerings = new ArrayList<>();
    for (int i = 0; i < 16; i++) {
      offerings.add(i % 8 < 3 ? four : two); // interleaved: 6 x 4 GPUs, 10 x 2 GPUs
    }
    ExecutorService pool = Executors.newFixedThreadPool(offerings.size());
    List<Stack.Response> replies = new ArrayList<>();
    try {
      CountDownLatch go = new CountDownLatch(1);
      List<Future<Stack.Response>> futures = new ArrayList<>();
      for (int i = 0; i < offerings.size(); i++) {
        String offering = offerings.get(i);
        String name = "multi-" + i;
        futures.add(pool.submit(() -> {
          go.await();
          return Tenants.deploy(stack, t.key(), name, offering, template, null);
        }));
      }
      go.countDown();
      for (Future<Stack.Response> f : futures) {
        replies.add(f.get());
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(replies).allSatisfy(r -> assertThat(r.status()).as(r.raw()).isEqualTo(202));
    List<JsonNode> all = Tenants.settled(stack, t.key(), Duration.ofMinutes(3)).stream()
        .filter(i -> i.path("accountId").asText().equals(t.accountId())).toList();
    assertThat(all).hasSize(16);

    // over the API (Admin view): every device appears once, Running = exactly its GPUs, failed = none
    Set<String> seen = new HashSet<>();
    int held = 0;
    int smallestRefused = Integer.MAX_VALUE;
    for (JsonNode i : all) {
      List<JsonNode> devices = Stack.list(i.path("devices"));
      int gpus = i.path("gpuCount").asInt();
      switch (i.path("state").asText()) {
        case "Running" -> {
          assertThat(devices).as("Running " + i.path("id").asText()).hasSize(gpus).allSatisfy(d -> {
            assertThat(d.path("state").asText()).isEqualTo("Allocated");
            assertThat(d.path("cardName").asText()).isEqualTo(CARD);
          });
          assertThat(i.path("hostName").asText()).isIn(HOSTS);
          held += gpus;
        }
        case "Error" -> {
          assertThat(devices).as("a refused deploy holds no device (no partial set)").isEmpty();
          assertThat(i.path("errorReason").asText()).contains("insufficient capacity");
          smallestRefused = Math.min(smallestRefused, gpus);
        }
        default -> throw new AssertionError("not settled: " + i);
      }
      for (JsonNode d : devices) {
        assertThat(seen.add(d.path("id").asText())).as("device " + d + " held by two instances").isTrue();
      }
    }
    assertThat(held).as("GPUs held by Running instances").isLessThanOrEqualTo(FLEET);
    // 10 x 2 GPUs alone exceed the fleet: some two-GPU deploy was refused, so no host may still have 2
    // free (free devices only shrink during the race, and hosts have even counts): all 14 are taken
    assertThat(smallestRefused).isEqualTo(2);
    assertThat(freePerHost()).as("no deploy refused while a host had room for it")
        .allSatisfy((host, free) -> assertThat(free).as(host).isLessThan(2));
    assertThat(held).isEqualTo(FLEET);

    // the device table itself
    try (Connection c = stack.db(); PreparedStatement s = c.prepareStatement(
        "SELECT i.id, i.state, i.gpu_count, i.host_id, COUNT(d.id) AS held, SUM(d.state = 'Allocated') AS allocated,"
            + " SUM(d.host_id = i.host_id) AS on_its_host FROM instances i LEFT JOIN gpu_devices d ON d.instance_id = i.id"
            + " WHERE i.account_id = ? GROUP BY i.id, i.state, i.gpu_count, i.host_id")) {
      s.setString(1, t.accountId());
      ResultSet rs = s.executeQuery();
      int rows = 0;
      while (rs.next()) {
        rows++;
        String id = rs.getString("id");
        if (rs.getString("state").equals("Running")) {
          assertThat(rs.getInt("held")).as(id).isEqualTo(rs.getInt("gpu_count"));
          assertThat(rs.getInt("allocated")).as(id).isEqualTo(rs.getInt("gpu_count"));
          assertThat(rs.getInt("on_its_host")).as(id + ": all on its own host").isEqualTo(rs.getInt("gpu_count"));
        } else {
          assertThat(rs.getString("state")).isEqualTo("Error");
          assertThat(rs.getInt("held")).as(id + ": failed, holds nothing").isZero();
          assertThat(rs.getString("host_id")).as(id + ": failed, on no host").isNull();
        }
      }
      assertThat(rows).isEqualTo(16);
    }
    try (Connection c = stack.db(); ResultSet rs = c.createStatement().executeQuery(
        "SELECT COUNT(*), COUNT(DISTINCT d.id), SUM(d.state = 'Allocated'), SUM(d.state = 'Reserved'),"
            + " SUM(i.state <> 'Running') FROM gpu_devices d JOIN gpu_cards c ON c.id = d.card_id"
            + " JOIN instances i ON i.id = d.instance_id WHERE c.name = '" + CARD + "'")) {
      rs.next();
      assertThat(rs.getInt(1)).as("held devices of the card").isEqualTo(FLEET);
      assertThat(rs.getInt(2)).isEqualTo(FLEET);
      assertThat(rs.getInt(3)).as("Allocated").isEqualTo(FLEET);
      assertThat(rs.getInt(4)).as("left Reserved").isZero();
      assertThat(rs.getInt(5)).as("held by an instance that is not Running").isZero();
    }
    DeployTest.assertNothingLeaked();
  }

  /** Free, Managed devices of the card per host (every host of the fleet listed). */
  static Map<String, Integer> freePerHost() {
    Map<String, Integer> free = new HashMap<>();
    for (String h : HOSTS) {
      free.put(h, (int) Stack.list(stack.get("/gpu-devices?hostId=" + stack.hostId(h)
          + "&state=Free&managedState=Managed")).stream()
          .filter(d -> d.path("cardName").asText().equals(CARD)).count());
    }
    return free;
  }
}
