package io.gpucloud.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * Queued and batch deploys on the replica stack (two service replicas) with the queue hosts: Q1 (24) and Q2
 * (16) passthrough GPUs of the 'ACS Queue Card', Q3 with 128 qv-1q vGPUs. Each trial leaves the hosts as it
 * found them (Enabled, every device Managed and Free) and ends with the fault trials' invariant.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class QueueTest {
  static final String CARD = "ACS Queue Card";
  static Stack stack;
  static String template;
  static String oneGpu;
  static ExecutorService pool;
  static String q1;
  static String q2;
  static String q3;

  @BeforeAll
  static void up() {
    Assumptions.assumeTrue(Stack.extraEnv().containsKey("GPUCLOUD_FAULT_STACK"),
        "runs in the replica-stack surefire execution, with the queue hosts");
    stack = Stack.get();
    stack.awaitHosts("Q1", "Q2", "Q3");
    q1 = stack.hostId("Q1");
    q2 = stack.hostId("Q2");
    q3 = stack.hostId("Q3");
    template = Tenants.template(stack);
    oneGpu = Tenants.offering(stack, CARD, "passthrough", 1, 1, 100, 128);
    pool = Executors.newFixedThreadPool(8);
  }

  @AfterAll
  static void down() {
    if (pool != null) {
      pool.shutdownNow();
    }
  }

  // ---- helpers ----

  static Map<String, Object> limits(int gpus) {
    return Map.of("gpuLimit", gpus, "instanceLimit", -1, "cpuLimit", -1, "memoryLimit", -1);
  }

  static Stack.Response queued(String key, String name, String offering, String maxWait, int priority) {
    return stack.call("POST", "/instances", Map.of("name", name, "offeringId", offering, "templateId", template,
        "queue", Map.of("maxWait", maxWait, "priority", priority)), key);
  }

  /** Sends the deploys in order (each accepted before the next is sent); their ids. */
  static List<String> submit(Tenants.Tenant t, String prefix, int n, String offering) {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Stack.Response r = queued(t.key(), prefix + "-" + i, offering, "PT20M", 0);
      assertThat(r.status()).as(r.raw()).isEqualTo(202);
      ids.add(r.body().path("id").asText());
    }
    return ids;
  }

  static Map<String, String> states(List<String> ids) {
    Map<String, String> out = new HashMap<>();
    query("SELECT id, state FROM instances WHERE id IN (" + in(ids) + ")", rs -> out.put(rs.getString(1), rs.getString(2)));
    return out;
  }

  static long count(List<String> ids, String state) {
    return states(ids).values().stream().filter(state::equals).count();
  }

  static String hostOf(String id) {
    List<String> out = new ArrayList<>();
    query("SELECT host_id FROM instances WHERE id = '" + id + "'", rs -> out.add(rs.getString(1)));
    return out.get(0);
  }

  static long events(String id, String type) {
    List<Long> out = new ArrayList<>();
    query("SELECT COUNT(*) FROM events WHERE instance_id = '" + id + "' AND type = '" + type + "'",
        rs -> out.add(rs.getLong(1)));
    return out.get(0);
  }

  interface Row {
    void read(ResultSet rs) throws SQLException;
  }

  static void query(String sql, Row row) {
    try (Connection c = stack.db(); PreparedStatement ps = c.prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        row.read(rs);
      }
    } catch (SQLException e) {
      throw new AssertionError(sql, e);
    }
  }

  static String in(List<String> ids) {
    return ids.stream().map(i -> "'" + i + "'").collect(Collectors.joining(","));
  }

  static void awaitStates(String what, List<String> ids, Map<String, Long> wanted, Duration timeout) {
    Stack.await(what, timeout, () -> {
      Map<String, Long> byState = states(ids).values().stream()
          .collect(Collectors.groupingBy(s -> s, Collectors.counting()));
      return wanted.entrySet().stream().allMatch(e -> byState.getOrDefault(e.getKey(), 0L).equals(e.getValue()));
    }, Duration.ofMillis(500));
  }

  /** GET /queue as the admin sees it, of one card's pool, in position order. */
  static List<JsonNode> queue() {
    return Stack.list(stack.get("/queue")).stream().filter(e -> CARD.equals(e.path("cardName").asText())).toList();
  }

  /** Withdraws the queued, destroys the rest, and checks the invariant. */
  static void cleanUp(List<String> ids) throws Exception {
    if (ids.isEmpty()) {
      return;
    }
    for (Map.Entry<String, String> e : states(ids).entrySet()) {
      if (e.getValue().equals("Queued")) {
        Stack.Response r = Ops.destroy(stack, stack.adminKey, e.getKey());
        assertThat(r.status()).as(r.raw()).isIn(202, 409);
      }
    }
    Invariant.destroyAll(stack, pool, ids.stream().filter(id -> !states(List.of(id)).get(id).equals("Destroyed"))
        .toList());
  }

  /** Devices placement may take on the host: Free, Managed, held by nobody. */
  static long freeManaged(String hostId) {
    return Ops.devices(stack, hostId, CARD).stream().filter(d -> d.path("state").asText().equals("Free")
        && d.path("managedState").asText().equals("Managed") && !d.path("instanceId").isTextual()).count();
  }

  static void hostsAsFound() {
    for (String h : List.of(q1, q2, q3)) {
      stack.admin("POST", "/hosts/" + h + "/enable", null);
    }
    for (JsonNode d : Stack.list(stack.get("/gpu-devices?hostId=" + q2))) {
      if (d.path("managedState").asText().equals("Unmanaged")) {
        stack.admin("POST", "/gpu-devices/" + d.path("id").asText() + "/manage", null);
      }
    }
  }

  // ---- trials ----

  @Test
  @Order(1)
  @Timeout(value = 8, unit = TimeUnit.MINUTES)
  void sixtyQueuedForFortyGpusRunFortyAndAdmitTheNextTenByFairShare() throws Exception {
    Tenants.Tenant a = Tenants.tenant(stack, "qa", limits(40));
    Tenants.Tenant b = Tenants.tenant(stack, "qb", limits(40));
    Tenants.Tenant c = Tenants.tenant(stack, "qc", limits(40));
    List<String> all = new ArrayList<>();
    try {
      fairShare(a, b, c, all);
    } finally {
      cleanUp(all);
    }
  }

  private void fairShare(Tenants.Tenant a, Tenants.Tenant b, Tenants.Tenant c, List<String> all) throws Exception {
    List<String> as = submit(a, "qa", 30, oneGpu);
    all.addAll(as);
    awaitStates("a's 30 Running", as, Map.of("Running", 30L), Duration.ofMinutes(3));
    List<String> bs = submit(b, "qb", 15, oneGpu);
    all.addAll(bs);
    awaitStates("b: 10 Running, 5 Queued", bs, Map.of("Running", 10L, "Queued", 5L), Duration.ofMinutes(2));
    List<String> cs = submit(c, "qc", 15, oneGpu);
    all.addAll(cs);
    awaitStates("c: 15 Queued", cs, Map.of("Queued", 15L), Duration.ofMinutes(1));
    assertThat(count(all, "Running")).isEqualTo(40);

    // the queue: c holds 0 of 40, b 10 of 40 (with the older requests): fair share puts c's ten first, then
    // b and c alternate (equal shares, b's requests older); plain FIFO would have put b's five first
    List<JsonNode> queue = queue();
    assertThat(queue).hasSize(20);
    assertThat(queue).extracting(e -> e.path("position").asInt())
        .containsExactlyElementsOf(java.util.stream.IntStream.rangeClosed(1, 20).boxed().toList());
    List<String> order = queue.stream().map(e -> e.path("instanceId").asText()).toList();
    assertThat(order.subList(0, 10)).as("fair share: the account holding least goes first")
        .containsExactlyElementsOf(cs.subList(0, 10));
    assertThat(order.get(10)).as("then equal shares: the older request").isEqualTo(bs.get(10));
    assertThat(queue.get(0).path("reason").asText()).contains("no host with 1 free");
    assertThat(queue.get(0).path("waitedSeconds").asDouble()).isPositive();
    // a tenant sees its own requests with their place among everyone's
    List<JsonNode> seenByB = Stack.list(stack.call("GET", "/queue", null, b.key()).body());
    assertThat(seenByB).extracting(e -> e.path("instanceId").asText()).containsExactlyInAnyOrderElementsOf(bs.subList(10, 15));
    assertThat(seenByB.get(0).path("position").asInt()).isEqualTo(11);
    // operators filter the waiting deploys in the Temporal UI
    Stack.await("QueueState=Waiting in Temporal's visibility", Duration.ofSeconds(30), () -> stack.temporal()
        .listExecutions("QueueState = 'Waiting' AND ExecutionStatus = 'Running'")
        .map(m -> m.getExecution().getWorkflowId()).filter(w -> order.stream().anyMatch(id -> w.equals("deploy-" + id)))
        .count() == 20);

    // destroying 10 of a's admits exactly the first ten of the queue, in its order
    Invariant.destroyAll(stack, pool, as.subList(0, 10));
    awaitStates("the first ten admitted and Running", order.subList(0, 10), Map.of("Running", 10L), Duration.ofMinutes(2));
    assertThat(states(order.subList(10, 20)).values()).as("the rest still waits").containsOnly("Queued");
    for (String id : order.subList(0, 10)) {
      assertThat(events(id, "VM.QUEUED")).isEqualTo(1);
      assertThat(events(id, "VM.ADMITTED")).isEqualTo(1);
    }
    assertThat(queue()).extracting(e -> e.path("instanceId").asText()).first().isEqualTo(bs.get(10));
  }

  @Test
  @Order(2)
  @Timeout(value = 5, unit = TimeUnit.MINUTES)
  void aGangOfFourTwoGpuInstancesWaitsAtSixFreeAndIsAdmittedWholeAtEight() throws Exception {
    Tenants.Tenant t = Tenants.tenant(stack, "qg", limits(100));
    String twoGpu = Tenants.offering(stack, CARD, "passthrough", 2, 1, 100, 128);
    stack.admin("POST", "/hosts/" + q1 + "/disable", null);
    List<JsonNode> q2Devices = Ops.devices(stack, q2, CARD);
    List<String> held = q2Devices.stream().limit(10).map(d -> d.path("id").asText()).toList();
    List<String> batchMembers = new ArrayList<>();
    try {
      held.forEach(id -> assertThat(stack.admin("POST", "/gpu-devices/" + id + "/unmanage", null).status()).isEqualTo(200));
      assertThat(freeManaged(q2)).isEqualTo(6);
      Stack.Response r = stack.call("POST", "/instance-batches", Map.of("namePrefix", "gang", "offeringId", twoGpu,
          "templateId", template, "count", 4, "mode", "gang", "queue", Map.of("maxWait", "PT10M")), t.key());
      assertThat(r.status()).as(r.raw()).isEqualTo(202);
      String batchId = r.body().path("id").asText();
      batchMembers.addAll(Ops.ids(r.body().path("members")));
      assertThat(batchMembers).hasSize(4);
      awaitStates("the gang queued", batchMembers, Map.of("Queued", 4L), Duration.ofMinutes(1));
      Thread.sleep(3000); // passes run meanwhile: 6 free fit three members, and none is placed
      assertThat(states(batchMembers).values()).containsOnly("Queued");
      assertThat(freeManaged(q2)).as("a waiting gang holds nothing").isEqualTo(6);
      assertThat(queue()).filteredOn(e -> batchMembers.contains(e.path("instanceId").asText()))
          .allSatisfy(e -> assertThat(e.path("reason").asText()).contains("all 4 members"));

      stack.admin("POST", "/gpu-devices/" + held.get(0) + "/manage", null); // 7 free: still not all four
      Thread.sleep(3000);
      assertThat(states(batchMembers).values()).containsOnly("Queued");
      stack.admin("POST", "/gpu-devices/" + held.get(1) + "/manage", null); // 8 free: the whole gang
      awaitStates("the whole gang Running", batchMembers, Map.of("Running", 4L), Duration.ofMinutes(2));
      JsonNode batch = stack.call("GET", "/instance-batches/" + batchId, null, t.key()).body();
      assertThat(Stack.list(batch.path("members"))).extracting(m -> m.path("state").asText()).containsOnly("Running");
      assertThat(freeManaged(q2)).isZero();
      // DELETE cancels the batch: its members are destroyed
      Stack.Response d = stack.call("DELETE", "/instance-batches/" + batchId, null, t.key());
      assertThat(d.status()).as(d.raw()).isEqualTo(202);
      awaitStates("the batch destroyed", batchMembers, Map.of("Destroyed", 4L), Duration.ofMinutes(2));
      stack.awaitWorkflow("batch-" + batchId, Duration.ofMinutes(1));
    } finally {
      hostsAsFound();
      cleanUp(batchMembers);
    }
  }

  @Test
  @Order(3)
  @Timeout(value = 6, unit = TimeUnit.MINUTES)
  void anEightGpuHeadIsNotStarvedByAStreamOfOneGpuRequests() throws Exception {
    Tenants.Tenant t = Tenants.tenant(stack, "qh", limits(100));
    String fourGpu = Tenants.offering(stack, CARD, "passthrough", 4, 1, 100, 128);
    String eightGpu = Tenants.offering(stack, CARD, "passthrough", 8, 1, 100, 128);
    List<String> all = new ArrayList<>();
    try {
      // fill Q1 (24) and Q2 (16) with 4-GPU instances
      List<Future<JsonNode>> fills = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        String name = "fill-" + i;
        fills.add(pool.submit(() -> Ops.running(stack, t, name, fourGpu, template)));
      }
      List<JsonNode> filled = new ArrayList<>();
      for (Future<JsonNode> f : fills) {
        filled.add(f.get(3, TimeUnit.MINUTES));
      }
      filled.forEach(i -> all.add(i.path("id").asText()));
      List<String> onQ1 = filled.stream().filter(i -> i.path("hostId").asText().equals(q1)).map(i -> i.path("id").asText()).toList();
      List<String> onQ2 = filled.stream().filter(i -> i.path("hostId").asText().equals(q2)).map(i -> i.path("id").asText()).toList();
      assertThat(onQ1).hasSize(6);
      assertThat(onQ2).hasSize(4);

      Stack.Response head = queued(t.key(), "head-8", eightGpu, "PT20M", 0);
      assertThat(head.status()).as(head.raw()).isEqualTo(202);
      String headId = head.body().path("id").asText();
      all.add(headId);
      awaitStates("the 8-GPU request queued", List.of(headId), Map.of("Queued", 1L), Duration.ofMinutes(1));
      List<String> stream = submit(t, "small", 6, oneGpu);
      all.addAll(stream);
      awaitStates("the stream queued behind it", stream, Map.of("Queued", 6L), Duration.ofMinutes(1));

      // 4 free on Q2: the head's host (closest to 8); the stream may not take them
      Invariant.destroyAll(stack, pool, List.of(onQ2.get(0)));
      Thread.sleep(3000);
      assertThat(states(stream).values()).as("no backfill onto the head's host").containsOnly("Queued");
      assertThat(Ops.freeDevices(stack, q2, CARD)).isEqualTo(4);
      assertThat(queue()).filteredOn(e -> stream.contains(e.path("instanceId").asText()))
          .allSatisfy(e -> assertThat(e.path("reason").asText()).contains("kept for it"));

      // 4 free on Q1 too: equally close, the claim stays on Q2; four of the stream backfill onto Q1
      Invariant.destroyAll(stack, pool, List.of(onQ1.get(0)));
      awaitStates("four of the stream admitted", stream, Map.of("Running", 4L, "Queued", 2L), Duration.ofMinutes(2));
      for (String id : stream) {
        if (states(List.of(id)).get(id).equals("Running")) {
          assertThat(hostOf(id)).as("backfilled onto Q1 only").isEqualTo(q1);
        }
      }
      assertThat(states(List.of(headId)).get(headId)).isEqualTo("Queued");

      // Q2 reaches 8 free: the head runs there, before the rest of the stream
      Invariant.destroyAll(stack, pool, List.of(onQ2.get(1)));
      awaitStates("the head admitted", List.of(headId), Map.of("Running", 1L), Duration.ofMinutes(2));
      assertThat(hostOf(headId)).isEqualTo(q2);
      assertThat(states(stream).values().stream().filter("Queued"::equals).count()).isEqualTo(2);
    } finally {
      cleanUp(all);
    }
  }

  @Test
  @Order(4)
  @Timeout(value = 3, unit = TimeUnit.MINUTES)
  void maxWaitExpiresAndAQueuedRequestIsWithdrawnAtOnce() throws Exception {
    Tenants.Tenant t = Tenants.tenant(stack, "qw", limits(200));
    String vgpu = Tenants.offering(stack, "ACS Queue vGPU Card", "qv-1q", 1, 1, 100, 128);
    stack.admin("POST", "/hosts/" + q3 + "/disable", null);
    List<String> ids = new ArrayList<>();
    try {
      Stack.Response shortWait = queued(t.key(), "short", vgpu, "PT3S", 0);
      assertThat(shortWait.status()).as(shortWait.raw()).isEqualTo(202);
      String expiring = shortWait.body().path("id").asText();
      ids.add(expiring);
      Stack.Response longWait = queued(t.key(), "long", vgpu, "PT1H", 0);
      String withdrawn = longWait.body().path("id").asText();
      ids.add(withdrawn);

      stack.awaitWorkflow("deploy-" + expiring, Duration.ofMinutes(1));
      JsonNode failed = stack.get("/instances/" + expiring);
      assertThat(failed.path("state").asText()).isEqualTo("Error");
      assertThat(failed.path("errorReason").asText()).isEqualTo("no capacity within PT3S");

      awaitStates("queued", List.of(withdrawn), Map.of("Queued", 1L), Duration.ofSeconds(30));
      Stack.Response del = stack.call("DELETE", "/instances/" + withdrawn, null, t.key());
      assertThat(del.status()).as(del.raw()).isEqualTo(202);
      assertThat(del.body().path("state").asText()).as("withdrawn at once").isEqualTo("Destroyed");
      stack.awaitWorkflow("deploy-" + withdrawn, Duration.ofSeconds(30)); // woken, it ends
      assertThat(events(withdrawn, "VM.DESTROY")).isEqualTo(1);
      assertThat(queue()).noneMatch(e -> ids.contains(e.path("instanceId").asText()));
    } finally {
      hostsAsFound();
      cleanUp(ids);
    }
  }

  @Test
  @Order(5)
  @Timeout(value = 12, unit = TimeUnit.MINUTES)
  void aHundredWaitingRequestsSurviveKillingBothReplicasAndAreEachAdmittedOnce() throws Exception {
    Tenants.Tenant x = Tenants.tenant(stack, "qk", limits(200));
    Tenants.Tenant y = Tenants.tenant(stack, "ql", limits(200));
    String vgpu = Tenants.offering(stack, "ACS Queue vGPU Card", "qv-1q", 1, 1, 100, 128);
    stack.admin("POST", "/hosts/" + q3 + "/disable", null);
    List<String> ids = new ArrayList<>();
    try {
      List<Future<String>> sent = new ArrayList<>();
      for (int i = 0; i < 100; i++) {
        Tenants.Tenant t = i % 2 == 0 ? x : y;
        String name = "k-" + i;
        sent.add(pool.submit(() -> {
          Stack.Response r = queued(t.key(), name, vgpu, "PT30M", i9(name));
          assertThat(r.status()).as(r.raw()).isEqualTo(202);
          return r.body().path("id").asText();
        }));
      }
      for (Future<String> f : sent) {
        ids.add(f.get(2, TimeUnit.MINUTES));
      }
      awaitStates("100 waiting", ids, Map.of("Queued", 100L), Duration.ofMinutes(3));

      Stack.ProcessCommand one = stack.commandOf("service");
      Stack.ProcessCommand two = stack.commandOf("service-2");
      Ops.kill9(stack.pid("service"));
      Ops.kill9(stack.pid("service-2"));
      stack.restart("service", one);
      stack.restart("service-2", two);
      for (String url : List.of(stack.apiUrl, stack.apiUrl2)) {
        Stack.await("replica answering again at " + url, Duration.ofMinutes(2), () -> {
          try {
            return stack.callAt(url, "GET", "/queue", null, stack.adminKey, null, null).status() == 200;
          } catch (RuntimeException e) {
            return false;
          }
        }, Duration.ofSeconds(1));
      }
      assertThat(states(ids).values()).as("nothing lost, nothing admitted while away").containsOnly("Queued");

      stack.admin("POST", "/hosts/" + q3 + "/enable", null); // 128 vGPUs at once
      awaitStates("all 100 admitted and Running", ids, Map.of("Running", 100L), Duration.ofMinutes(6));
      Map<String, Invariant.Instance> after = Invariant.check(stack); // no device twice, limits, domains
      for (String id : ids) {
        assertThat(events(id, "VM.ADMITTED")).as("admitted exactly once: " + id).isEqualTo(1);
        assertThat(after.get(id).hostId()).isEqualTo(q3);
      }
      Set<String> distinct = new java.util.HashSet<>();
      query("SELECT id FROM gpu_devices WHERE instance_id IN (" + in(ids) + ")", rs -> distinct.add(rs.getString(1)));
      assertThat(distinct).hasSize(100);
    } finally {
      hostsAsFound();
      cleanUp(ids);
    }
  }

  /** Priorities spread over 0..9 by name (a repeatable mix). */
  static int i9(String name) {
    return Math.floorMod(name.hashCode(), 10);
  }

  static String unique(String prefix) {
    return prefix + "-" + UUID.randomUUID().toString().substring(0, 6);
  }
}
