package io.gpucloud.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.temporal.api.workflow.v1.WorkflowExecutionInfo;
import io.temporal.api.workflowservice.v1.ListWorkflowExecutionsRequest;
import io.temporal.api.workflowservice.v1.ListWorkflowExecutionsResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * Two service replicas sharing Temporal, MariaDB and the Quartz cluster (the fault-stack surefire execution):
 * one replica killed with kill -9 in the middle of a burst of deploys sent to both loses and duplicates nothing,
 * and a scheduled job run on both replicas at once starts each period's workflow once.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ReplicaFaultTest {
  /** 1-GPU deploys of the race card (R1 and R2: 40 devices): room for all of them. */
  static final int BURST = 16;
  static Stack stack;
  static Tenants.Tenant tenant;
  static String offering;
  static String template;
  static ExecutorService pool;

  @BeforeAll
  static void up() {
    // only in the fault-stack execution (a -Dtest=... run selects it in the default one too)
    Assumptions.assumeTrue(Stack.extraEnv().containsKey("GPUCLOUD_FAULT_STACK"),
        "runs in the fault-stack surefire execution, with its own stack");
    stack = Stack.get();
    assertThat(stack.apiUrl2).as("the fault stack runs two service replicas").isNotNull();
    stack.awaitHosts("R1", "R2");
    tenant = Tenants.tenant(stack, "replica", Tenants.unlimited());
    offering = Tenants.offering(stack, "ACS Race Card", "passthrough", 1, 1, 100, 128);
    template = Tenants.template(stack);
    pool = Executors.newFixedThreadPool(BURST);
  }

  @AfterAll
  static void down() {
    if (pool != null) {
      pool.shutdownNow();
    }
  }

  /** What the client knows of one deploy: its key, where it went, and the reply (null when none came). */
  record Sent(String key, String name, String baseUrl, Stack.Response reply, String error) {}

  @Test
  @Order(1)
  @Timeout(value = 4, unit = TimeUnit.MINUTES)
  void aReplicaKilledDuringABurstLosesAndDuplicatesNothing() throws Exception {
    Invariant.check(stack);
    Stack.ProcessCommand cmd = stack.commandOf("service-2");
    long pid = stack.pid("service-2");
    List<Future<Sent>> futures = new ArrayList<>();
    for (int n = 0; n < BURST; n++) {
      String base = n % 2 == 0 ? stack.apiUrl : stack.apiUrl2;
      String key = "replica-" + UUID.randomUUID();
      String name = "rf-" + n;
      long delay = n * 60L; // spread over about a second: the kill lands in the middle
      futures.add(pool.submit(() -> {
        Thread.sleep(delay);
        return send(base, key, name);
      }));
    }
    Thread.sleep(450);
    Ops.kill9(pid);
    List<Sent> sent = new ArrayList<>();
    for (Future<Sent> f : futures) {
      sent.add(f.get(2, TimeUnit.MINUTES));
    }
    // a client without an answer (or refused for the moment) sends the same key again, to the replica left
    Map<String, String> idByKey = new HashMap<>();
    int retried = 0;
    for (Sent s : sent) {
      Sent last = s;
      Instant deadline = Instant.now().plus(Duration.ofMinutes(1));
      while (last.reply() == null || last.reply().status() != 202) {
        assertThat(Instant.now()).as("deploy %s never accepted: %s", s.key(), last).isBefore(deadline);
        if (last.reply() != null) {
          assertThat(last.reply().status()).as("a refusal a client may retry: " + last.reply().raw()).isIn(502, 503);
        }
        retried++;
        Thread.sleep(500);
        last = send(stack.apiUrl, s.key(), s.name());
      }
      idByKey.put(s.key(), last.reply().body().path("id").asText());
    }
    assertThat(new HashSet<>(idByKey.values())).as("one instance per key").hasSize(BURST);

    Map<String, Invariant.Instance> after = Invariant.check(stack);
    List<Invariant.Instance> ofTenant = after.values().stream().filter(i -> i.account().equals(tenant.accountId()))
        .toList();
    assertThat(ofTenant).as("nothing duplicated: the tenant's instances are the accepted ones")
        .extracting(Invariant.Instance::id).containsExactlyInAnyOrderElementsOf(idByKey.values());
    for (Invariant.Instance i : ofTenant) {
      assertThat(i.state()).as("nothing lost (the race hosts have room for all): %s", i).isEqualTo("Running");
    }
    System.out.printf("ReplicaFaultTest: replica 2 killed mid-burst: %d replies lost or refused and sent again with"
        + " their key; %d instances, all Running%n", retried, ofTenant.size());

    // the replica back, serving the API again
    stack.restart("service-2", cmd);
    Stack.await("replica 2 answering again", Duration.ofMinutes(2), () -> {
      try {
        return stack.callAt(stack.apiUrl2, "GET", "/instances", null, stack.adminKey, null, null).status() == 200;
      } catch (RuntimeException e) {
        return false;
      }
    }, Duration.ofSeconds(1));
    Invariant.destroyAll(stack, pool, new ArrayList<>(idByKey.values()));
  }

  static Sent send(String base, String key, String name) {
    try {
      Map<String, Object> body = Map.of("name", name, "offeringId", offering, "templateId", template);
      return new Sent(key, name, base, stack.callAt(base, "POST", "/instances", body, tenant.key(), "Idempotency-Key", key), null);
    } catch (RuntimeException e) {
      return new Sent(key, name, base, null, String.valueOf(e.getCause() == null ? e : e.getCause()));
    }
  }

  /**
   * The usage job run on both replicas at once, three times, with its cursor three periods back: each period's
   * Usage workflow is started once (the cursor row is locked per step, the workflow id is the period's).
   */
  @Test
  @Order(2)
  @Timeout(value = 4, unit = TimeUnit.MINUTES)
  void theUsageJobStartsEachPeriodOnceAcrossReplicas() throws Exception {
    Duration period = Duration.ofHours(1); // the fault stack's usage period: config.yml's default
    Instant current = Instant.now().truncatedTo(ChronoUnit.HOURS);
    Instant from = current.minus(period.multipliedBy(3));
    try (Connection c = stack.db(); PreparedStatement ps = c.prepareStatement(
        "INSERT INTO schedule_cursors (name, next_period) VALUES ('usage', ?)"
            + " ON DUPLICATE KEY UPDATE next_period = VALUES(next_period)")) {
      ps.setObject(1, LocalDateTime.ofInstant(from, ZoneOffset.UTC));
      ps.executeUpdate();
    }
    Set<String> expected = new HashSet<>();
    for (Instant p = from; p.isBefore(current); p = p.plus(period)) {
      expected.add("usage-" + p);
    }
    for (int round = 0; round < 3; round++) {
      List<Future<Stack.Response>> fired = new ArrayList<>();
      for (String base : List.of(stack.apiUrl, stack.apiUrl2)) {
        fired.add(pool.submit(() -> stack.callAt(base, "POST", "/schedules/usage/run", null, stack.adminKey, null, null)));
      }
      for (Future<Stack.Response> f : fired) {
        Stack.Response r = f.get(1, TimeUnit.MINUTES);
        assertThat(r.status()).as(r.raw()).isEqualTo(202);
      }
      Thread.sleep(1000);
    }
    Stack.await("the cursor past the last closed period", Duration.ofMinutes(1), () -> {
      try (Connection c = stack.db(); ResultSet rs = c.createStatement().executeQuery(
          "SELECT next_period FROM schedule_cursors WHERE name = 'usage'")) {
        return rs.next() && !rs.getObject(1, LocalDateTime.class).toInstant(ZoneOffset.UTC).isBefore(current);
      } catch (Exception e) {
        return false;
      }
    });
    Map<String, Integer> runs = new TreeMap<>();
    Stack.await("a Usage workflow for each of " + expected, Duration.ofMinutes(1), () -> {
      runs.clear();
      for (WorkflowExecutionInfo e : listExecutions("WorkflowType='Usage'")) {
        runs.merge(e.getExecution().getWorkflowId(), 1, Integer::sum);
      }
      return runs.keySet().containsAll(expected);
    });
    Thread.sleep(3000); // visibility is eventually consistent: a second run would show by now
    runs.clear();
    for (WorkflowExecutionInfo e : listExecutions("WorkflowType='Usage'")) {
      runs.merge(e.getExecution().getWorkflowId(), 1, Integer::sum);
    }
    System.out.println("ReplicaFaultTest: Usage workflow runs by id after 3 x 2 concurrent fires: " + runs);
    for (Map.Entry<String, Integer> e : runs.entrySet()) {
      assertThat(e.getValue()).as("runs of " + e.getKey()).isEqualTo(1);
    }
    Invariant.check(stack);
  }

  static List<WorkflowExecutionInfo> listExecutions(String query) {
    var c = stack.temporal();
    List<WorkflowExecutionInfo> all = new ArrayList<>();
    com.google.protobuf.ByteString token = com.google.protobuf.ByteString.EMPTY;
    do {
      ListWorkflowExecutionsResponse resp = c.getWorkflowServiceStubs().blockingStub().listWorkflowExecutions(
          ListWorkflowExecutionsRequest.newBuilder().setNamespace("default").setQuery(query)
              .setPageSize(1000).setNextPageToken(token).build());
      all.addAll(resp.getExecutionsList());
      token = resp.getNextPageToken();
    } while (!token.isEmpty());
    return all;
  }
}
