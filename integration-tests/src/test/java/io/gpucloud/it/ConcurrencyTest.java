package io.gpucloud.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Races: many deploys at once for the last GPUs and against one account limit. Hosts R1 + R2 carry
 * 40 "ACS Race Card" GPUs and L1 32 "ACS Limit Card" GPUs (test-only specs).
 */
class ConcurrencyTest {
  static Stack stack;
  static String template;

  @BeforeAll
  static void up() {
    stack = Stack.get();
    Stack.await("R1, R2 and L1 discovered", Duration.ofMinutes(2), () -> Stack.list(stack.get("/hosts")).stream()
        .filter(h -> h.path("name").asText().matches("R1|R2|L1") && h.path("gpuTotal").asInt() > 0).count() == 3);
    template = Tenants.template(stack);
  }

  static List<Stack.Response> deployConcurrently(String key, String offering, int n, int threads) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<Stack.Response>> futures = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        String name = "vm-" + i;
        futures.add(pool.submit(() -> Tenants.deploy(stack, key, name, offering, template, null)));
      }
      List<Stack.Response> out = new ArrayList<>();
      for (Future<Stack.Response> f : futures) {
        out.add(f.get());
      }
      return out;
    } finally {
      pool.shutdownNow();
    }
  }

  static List<JsonNode> instancesOf(Tenants.Tenant t) {
    return Stack.list(stack.call("GET", "/instances", null, t.key()).body());
  }

  @Test
  void twoHundredDeploysRaceForFortyGpus() throws Exception {
    Tenants.Tenant t = Tenants.tenant(stack, "race", Tenants.unlimited());
    String offering = Tenants.offering(stack, "ACS Race Card", "passthrough", 1, 1, 100, 128);
    List<Stack.Response> replies = deployConcurrently(t.key(), offering, 200, 32);
    assertThat(replies).allSatisfy(r -> assertThat(r.status()).as(r.raw()).isEqualTo(202));

    Stack.await("200 deploys to settle", Duration.ofMinutes(6),
        () -> instancesOf(t).stream().noneMatch(i -> i.path("state").asText().equals("Creating")));
    List<JsonNode> all = instancesOf(t);
    assertThat(all).hasSize(200);
    List<JsonNode> running = all.stream().filter(i -> i.path("state").asText().equals("Running")).toList();
    List<JsonNode> failed = all.stream().filter(i -> i.path("state").asText().equals("Error")).toList();
    assertThat(running).hasSize(40);
    assertThat(failed).hasSize(160).allSatisfy(i ->
        assertThat(i.path("errorReason").asText()).contains("insufficient capacity"));

    try (Connection c = stack.db()) {
      ResultSet rs = c.createStatement().executeQuery("SELECT COUNT(*), COUNT(DISTINCT d.instance_id),"
          + " SUM(d.state = 'Reserved') FROM gpu_devices d JOIN gpu_cards c ON c.id = d.card_id"
          + " WHERE c.name = 'ACS Race Card' AND d.instance_id IS NOT NULL");
      rs.next();
      assertThat(rs.getInt(1)).as("race GPUs held").isEqualTo(40);
      assertThat(rs.getInt(2)).as("each by a different instance").isEqualTo(40);
      assertThat(rs.getInt(3)).as("left Reserved").isZero();
    }
    DeployTest.assertNothingLeaked();
  }

  @Test
  void accountLimitOfFiveHoldsUnderThirtyConcurrentDeploys() throws Exception {
    Tenants.Tenant t = Tenants.tenant(stack, "limited",
        Map.of("gpuLimit", 5, "instanceLimit", -1, "cpuLimit", -1, "memoryLimit", -1));
    String offering = Tenants.offering(stack, "ACS Limit Card", "passthrough", 1, 1, 100, 128);
    List<Stack.Response> replies = deployConcurrently(t.key(), offering, 30, 30);
    assertThat(replies).allSatisfy(r -> assertThat(r.status()).isEqualTo(202));
    Stack.await("30 deploys to settle", Duration.ofMinutes(4),
        () -> instancesOf(t).stream().noneMatch(i -> i.path("state").asText().equals("Creating")));
    List<JsonNode> all = instancesOf(t);
    assertThat(all.stream().filter(i -> i.path("state").asText().equals("Running"))).hasSize(5);
    assertThat(all.stream().filter(i -> i.path("state").asText().equals("Error"))).hasSize(25)
        .allSatisfy(i -> assertThat(i.path("errorReason").asText()).contains("GPU limit"));
    JsonNode limits = stack.call("GET", "/accounts/" + t.accountId() + "/limits", null, t.key()).body();
    assertThat(limits.path("gpuLimit").asInt()).isEqualTo(5);
    assertThat(limits.path("gpuTotal").asInt()).isEqualTo(5);
    assertThat(limits.path("gpuAvailable").asInt()).isZero();
    DeployTest.assertNothingLeaked();
  }
}
