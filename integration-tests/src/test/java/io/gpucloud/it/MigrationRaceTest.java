package io.gpucloud.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Two cold migrations at once to a host with room for one (issue 11: the target's devices are reserved
 * atomically): one moves, the other is refused or fails and stays Stopped on its source with its devices; no
 * device is given twice. On the mt-4q vGPUs of 'ACS Maint Card' (2 on MT1, 2 on MT2, nowhere else).
 */
class MigrationRaceTest {
  static Stack stack;
  static String template;
  static String offering;
  static String mt1;
  static String mt2;
  final List<String> created = new ArrayList<>();

  @BeforeAll
  static void up() {
    stack = Stack.get();
    stack.awaitHosts("MT1", "MT2");
    mt1 = stack.hostId("MT1");
    mt2 = stack.hostId("MT2");
    template = Tenants.template(stack);
    offering = Tenants.offering(stack, MaintenanceTest.CARD, "mt-4q", 1, 1, 500, 512);
  }

  @AfterEach
  void cleanUp() {
    Ops.destroyAll(stack, created);
    for (String h : List.of(mt1, mt2)) {
      if (Ops.host(stack, h).path("resourceState").asText().equals("Disabled")) {
        stack.admin("POST", "/hosts/" + h + "/enable", null);
      }
    }
  }

  /** Deploys n instances on the host, the other one Disabled meanwhile. */
  List<JsonNode> runningOn(Tenants.Tenant t, String host, String other, int n) {
    assertThat(stack.admin("POST", "/hosts/" + other + "/disable", null).status()).isEqualTo(200);
    List<JsonNode> out = new ArrayList<>();
    try {
      for (int i = 0; i < n; i++) {
        JsonNode x = Ops.running(stack, t, "racer-" + i, offering, template);
        created.add(x.path("id").asText());
        assertThat(x.path("hostId").asText()).isEqualTo(host);
        out.add(x);
      }
    } finally {
      assertThat(stack.admin("POST", "/hosts/" + other + "/enable", null).status()).isEqualTo(200);
    }
    return out;
  }

  @Test
  void twoMigrationsAtOnceToTheLastFreeVgpuMoveOneInstanceOnly() throws Exception {
    Tenants.Tenant t = Tenants.tenant(stack, "mig-race", Tenants.unlimited());
    List<JsonNode> movers = runningOn(t, mt1, mt2, 2);
    runningOn(t, mt2, mt1, 1); // MT2 keeps one mt-4q free
    for (JsonNode m : movers) {
      Ops.ok(stack, t.key(), m.path("id").asText(), "stop", null);
    }
    ExecutorService pool = Executors.newFixedThreadPool(2);
    List<Stack.Response> replies = new ArrayList<>();
    try {
      CyclicBarrier together = new CyclicBarrier(2);
      List<Future<Stack.Response>> both = new ArrayList<>();
      for (JsonNode m : movers) {
        both.add(pool.submit(() -> {
          together.await();
          return Ops.post(stack, t.key(), m.path("id").asText(), "migrate", Map.of("hostId", mt2));
        }));
      }
      for (Future<Stack.Response> f : both) {
        replies.add(f.get());
      }
    } finally {
      pool.shutdownNow();
    }
    int moved = 0;
    for (int i = 0; i < 2; i++) {
      Stack.Response r = replies.get(i);
      String id = movers.get(i).path("id").asText();
      boolean completed = false;
      if (r.status() == 202) {
        JsonNode wf = stack.awaitWorkflow(r.body().path("workflowId").asText(), Ops.WORKFLOW_TIMEOUT);
        completed = wf.path("status").asText().equals("COMPLETED");
        if (!completed) {
          assertThat(wf.path("failure").asText()).as(wf.toString()).contains("insufficient capacity");
        }
      } else {
        assertThat(r.status()).as(r.raw()).isEqualTo(409);
      }
      JsonNode after = Ops.instance(stack, id);
      assertThat(after.path("state").asText()).as(after.toString()).isEqualTo("Stopped");
      assertThat(Stack.list(after.path("devices"))).hasSize(1);
      if (completed) {
        moved++;
        assertThat(after.path("hostName").asText()).isEqualTo("MT2");
      } else {
        assertThat(after.path("hostName").asText()).as("the loser stays on its source").isEqualTo("MT1");
        assertThat(Ops.devicesOf(after)).as("with its devices").isEqualTo(Ops.devicesOf(movers.get(i)));
      }
    }
    assertThat(moved).as("exactly one migration completes: " + replies).isEqualTo(1);
    for (String h : List.of(mt1, mt2)) {
      Ops.assertDevicesConsistent(stack, h, MaintenanceTest.CARD);
    }
    assertThat(Ops.gpuTotal(stack, t.accountId())).isEqualTo(3);
  }
}
