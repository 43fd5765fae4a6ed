package io.gpucloud.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import io.temporal.api.enums.v1.PendingActivityState;
import io.temporal.api.enums.v1.TimeoutType;
import io.temporal.api.history.v1.ActivityTaskStartedEventAttributes;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.api.workflow.v1.PendingActivityInfo;
import io.temporal.client.WorkflowExecutionDescription;
import io.temporal.common.SearchAttributeKey;
import io.temporal.common.SearchAttributes;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The Deploy workflow against the real stack: libvirt XML, hooks, tenancy, idempotency. */
class DeployTest {
  static Stack stack;
  static String template;

  @BeforeAll
  static void up() {
    stack = Stack.get();
    Stack.await("all hosts discovered", Duration.ofMinutes(2), () -> Stack.list(stack.get("/hosts")).stream()
        .filter(h -> h.path("lastDiscoveryAt").isTextual()).count() >= 5);
    stack.awaitHosts("H1", "H2", "M1");
    template = Tenants.template(stack);
  }

  static JsonNode awaitClosed(String workflowId) {
    return stack.awaitWorkflow(workflowId, Duration.ofSeconds(120));
  }

  /** No device is Reserved once nothing deploys, and every held device belongs to a live instance. */
  static void assertNothingLeaked() throws Exception {
    try (Connection c = stack.db()) {
      ResultSet rs = c.createStatement().executeQuery("SELECT COUNT(*) FROM gpu_devices WHERE state = 'Reserved'");
      rs.next();
      assertThat(rs.getInt(1)).as("devices left Reserved").isZero();
      rs = c.createStatement().executeQuery("SELECT COUNT(*) FROM gpu_devices d JOIN instances i ON i.id = d.instance_id"
          + " WHERE i.state <> 'Running'");
      rs.next();
      assertThat(rs.getInt(1)).as("devices held by instances that are not Running").isZero();
      rs = c.createStatement().executeQuery("SELECT COUNT(*) FROM instances i WHERE i.state = 'Running'"
          + " AND i.gpu_count <> (SELECT COUNT(*) FROM gpu_devices d WHERE d.instance_id = i.id AND d.state = 'Allocated')");
      rs.next();
      assertThat(rs.getInt(1)).as("Running instances without exactly their devices").isZero();
      rs = c.createStatement().executeQuery("SELECT COUNT(*) FROM instances WHERE state = 'Error' AND quota_counted = 1");
      rs.next();
      assertThat(rs.getInt(1)).as("failed instances still counted against limits").isZero();
    }
  }

  @Test
  void fullDeployReachesRunningWithItsVgpusInTheLibvirtDomainXml() throws Exception {
    Tenants.Tenant t = Tenants.tenant(stack, "demo", Tenants.unlimited());
    String offering = Tenants.offering(stack, "ACS Simulated Graphics Card Pro", "sim-8q", 2, 2, 1000, 2048);
    Stack.Response r = Tenants.deploy(stack, t.key(), "qa-vm", offering, template, null);
    assertThat(r.status()).as(r.raw()).isEqualTo(202);
    String id = r.body().path("id").asText();
    assertThat(r.body().path("state").asText()).isEqualTo("Creating");
    assertThat(r.body().path("workflowId").asText()).isEqualTo("deploy-" + id);

    JsonNode wf = awaitClosed("deploy-" + id);
    assertThat(wf.path("status").asText()).as(wf.toString()).isEqualTo("COMPLETED");

    JsonNode mine = stack.call("GET", "/instances/" + id, null, t.key()).body();
    assertThat(mine.path("state").asText()).isEqualTo("Running");
    assertThat(mine.path("gpuCards").asText()).isEqualTo("2 x ACS Simulated Graphics Card Pro (sim-8q)");
    assertThat(mine.has("hostName")).as("tenants do not see hosts").isFalse();

    JsonNode admin = stack.get("/instances/" + id);
    // H1 has four sim-8q vGPUs, H2 two (for the README's cold migration): best fit may pick either
    assertThat(admin.path("hostName").asText()).isIn("H1", "H2");
    List<JsonNode> devices = Stack.list(admin.path("devices"));
    assertThat(devices).hasSize(2).allSatisfy(d -> {
      assertThat(d.path("profileName").asText()).isEqualTo("sim-8q");
      assertThat(d.path("state").asText()).isEqualTo("Allocated");
    });

    JsonNode xml = stack.get("/instances/" + id + "/domain-xml");
    String domain = xml.path("xml").asText();
    assertThat(domain).contains("<uuid>" + id + "</uuid>").contains("type='mdev'");
    for (JsonNode d : devices) {
      assertThat(domain).contains(d.path("busAddress").asText());
    }

    // the tenant sees its devices, without addresses
    List<JsonNode> tenantDevices = Stack.list(stack.call("GET", "/gpu-devices", null, t.key()).body());
    assertThat(tenantDevices).hasSize(2).allSatisfy(d -> {
      assertThat(d.has("busAddress")).isFalse();
      assertThat(d.has("hostId")).isFalse();
      assertThat(d.path("instanceId").asText()).isEqualTo(id);
    });
    assertThat(stack.get("/hosts").findValues("name").stream().map(JsonNode::asText)).contains("H1");
    assertNothingLeaked();
  }

  @Test
  void badDeployRequestsAreRefusedNamingTheFieldAndCreateNothing() {
    Tenants.Tenant t = Tenants.tenant(stack, "bad", Tenants.unlimited());
    String offering = Tenants.offering(stack, "ACS Simulated Graphics Card Pro", "sim-2q", 1, 1, 500, 512);
    Map<String, Map<String, Object>> bad = Map.of(
        "name", Map.of("offeringId", offering, "templateId", template),
        "offeringId", Map.of("name", "x", "offeringId", UUID.randomUUID().toString(), "templateId", template),
        "templateId", Map.of("name", "x", "offeringId", offering, "templateId", "not-a-uuid"),
        "projectId", Map.of("name", "x", "offeringId", offering, "templateId", template,
            "projectId", UUID.randomUUID().toString()));
    for (Map.Entry<String, Map<String, Object>> b : bad.entrySet()) {
      Stack.Response r = stack.call("POST", "/instances", b.getValue(), t.key());
      assertThat(r.status()).as(b.getKey() + " " + r.raw()).isEqualTo(400);
      assertThat(r.body().path("message").asText()).contains(b.getKey());
    }
    Stack.Response malformed = stack.call("POST", "/instances", "{\"name\": ", t.key());
    assertThat(malformed.status()).isEqualTo(400);
    assertThat(malformed.body().path("code").asInt()).isEqualTo(400);
    assertThat(Stack.list(stack.call("GET", "/instances", null, t.key()).body())).isEmpty();
  }

  @Test
  void repeatedIdempotencyKeyCreatesOneInstance() throws Exception {
    Tenants.Tenant t = Tenants.tenant(stack, "idem", Tenants.unlimited());
    String offering = Tenants.offering(stack, "ACS Simulated Graphics Card Pro", "sim-2q", 1, 1, 500, 512);
    String key = UUID.randomUUID().toString();
    List<Stack.Response> replies = List.of(Tenants.deploy(stack, t.key(), "same", offering, template, key),
        Tenants.deploy(stack, t.key(), "same", offering, template, key),
        Tenants.deploy(stack, t.key(), "same", offering, template, key));
    assertThat(replies).allSatisfy(r -> assertThat(r.status()).as(r.raw()).isEqualTo(202));
    assertThat(replies.stream().map(r -> r.body().path("id").asText()).distinct()).hasSize(1);
    String id = replies.get(0).body().path("id").asText();
    assertThat(awaitClosed("deploy-" + id).path("status").asText()).isEqualTo("COMPLETED");
    List<JsonNode> all = Stack.list(stack.call("GET", "/instances", null, t.key()).body());
    assertThat(all).hasSize(1);
  }

  @Test
  void failingTransformerHookFailsTheDeployAndLeavesNothingReserved() throws Exception {
    Tenants.Tenant t = Tenants.tenant(stack, "hook", Tenants.unlimited());
    // Pro passthrough GPUs exist only on H2
    String offering = Tenants.offering(stack, "ACS Simulated Graphics Card Pro", "passthrough", 1, 1, 500, 512);
    Path hook = stack.dataDir.resolve("hosts/H2/hooks/libvirt-vm-xml-transformer.sh");
    Files.writeString(hook, "#!/bin/sh\necho 'transformer says boom' >&2\nexit 1\n");
    Files.setPosixFilePermissions(hook, PosixFilePermissions.fromString("rwxr-xr-x"));
    String id;
    try {
      Stack.Response r = Tenants.deploy(stack, t.key(), "hooked", offering, template, null);
      assertThat(r.status()).as(r.raw()).isEqualTo(202);
      id = r.body().path("id").asText();
      JsonNode wf = awaitClosed("deploy-" + id);
      assertThat(wf.path("status").asText()).isEqualTo("FAILED");
      assertThat(wf.path("failure").asText()).contains("boom");
    } finally {
      Files.delete(hook);
    }
    JsonNode inst = stack.get("/instances/" + id);
    assertThat(inst.path("state").asText()).isEqualTo("Error");
    assertThat(inst.path("errorReason").asText()).contains("boom");
    assertThat(Stack.list(inst.path("devices"))).isEmpty();
    JsonNode xml = stack.admin("GET", "/instances/" + id + "/domain-xml", null).body();
    assertThat(xml.path("code").asInt()).as("no domain left behind (instance is on no host)").isEqualTo(409);
    assertNothingLeaked();

    // with the hook gone, the same offering deploys
    Stack.Response ok = Tenants.deploy(stack, t.key(), "unhooked", offering, template, null);
    assertThat(awaitClosed("deploy-" + ok.body().path("id").asText()).path("status").asText()).isEqualTo("COMPLETED");
  }

  @Test
  void tenantsSeeAndTouchOnlyTheirOwnInstances() throws Exception {
    Tenants.Tenant a = Tenants.tenant(stack, "alice", Tenants.unlimited());
    Tenants.Tenant b = Tenants.tenant(stack, "bob", Tenants.unlimited());
    String offering = Tenants.offering(stack, "ACS Simulated Graphics Card Pro", "sim-2q", 1, 1, 500, 512);
    String id = Tenants.deploy(stack, a.key(), "alice-vm", offering, template, null).body().path("id").asText();
    awaitClosed("deploy-" + id);
    Stack.Response other = stack.call("GET", "/instances/" + id, null, b.key());
    assertThat(other.status()).isEqualTo(404);
    assertThat(other.body().path("code").asInt()).isEqualTo(404);
    assertThat(Stack.list(stack.call("GET", "/instances", null, b.key()).body())).isEmpty();
    assertThat(Stack.list(stack.call("GET", "/gpu-devices", null, b.key()).body())).isEmpty();
    assertThat(stack.call("GET", "/instances/" + id + "/domain-xml", null, b.key()).status()).isEqualTo(403);
    for (String[] adminCall : List.of(new String[] {"GET", "/hosts"}, new String[] {"POST", "/gpu-cards"},
        new String[] {"GET", "/gpu-devices/" + UUID.randomUUID()}, new String[] {"PUT", "/accounts/" + b.accountId() + "/limits"})) {
      Stack.Response r = stack.call(adminCall[0], adminCall[1], adminCall[0].equals("GET") ? null : Map.of(), b.key());
      assertThat(r.status()).as(adminCall[0] + " " + adminCall[1] + " " + r.raw()).isEqualTo(403);
    }
    assertThat(stack.call("GET", "/instances/" + id, null, a.key()).status()).isEqualTo(200);
  }

  /** SetUpDomain of the deploy, while it is pending (scheduled or running). */
  static Optional<PendingActivityInfo> pendingSetUpDomain(String workflowId) {
    return stack.describe(workflowId).getPendingActivitiesList().stream()
        .filter(a -> a.getActivityType().getName().equals("SetUpDomain")).findFirst();
  }

  @Test
  void agentKilledMidDeployIsRetriedOnTheRestartedAgentAndEndsRunning() throws Exception {
    Tenants.Tenant t = Tenants.tenant(stack, "crash", Tenants.unlimited());
    String offering = Tenants.offering(stack, "ACS Simulated Graphics Card Basic", "passthrough", 1, 1, 500, 512);
    // the transformer hook on H1 (the only host with Basic cards) says when SetUpDomain reaches it and
    // then holds the step until the test opens the gate
    Path dir = Files.createTempDirectory(stack.dataDir, "crash-");
    Path entered = dir.resolve("entered");
    Path gate = dir.resolve("gate");
    Path hook = stack.dataDir.resolve("hosts/H1/hooks/libvirt-vm-xml-transformer.sh");
    Files.writeString(hook, "#!/bin/sh\ntouch '" + entered + "'\nwhile [ ! -e '" + gate + "' ]; do sleep 0.1; done\ncat\n");
    Files.setPosixFilePermissions(hook, PosixFilePermissions.fromString("rwxr-xr-x"));
    try {
      long oldPid = stack.pid("agent-H1");
      List<String> cmd = List.of(new String(Files.readAllBytes(Path.of("/proc/" + oldPid + "/cmdline"))).split("\0"));
      String id = Tenants.deploy(stack, t.key(), "crashy", offering, template, null).body().path("id").asText();
      String workflowId = "deploy-" + id;
      // SetUpDomain started on the agent process we are about to kill, and is inside the hook
      PendingActivityInfo[] before = new PendingActivityInfo[1];
      Stack.await("SetUpDomain to run in H1's hook", Duration.ofSeconds(60), () -> {
        before[0] = pendingSetUpDomain(workflowId).orElse(null);
        return before[0] != null && before[0].getState() == PendingActivityState.PENDING_ACTIVITY_STATE_STARTED
            && Files.exists(entered);
      });
      assertThat(before[0].getAttempt()).isEqualTo(1);
      assertThat(before[0].getLastWorkerIdentity()).as("worker identity pid@host").startsWith(oldPid + "@");

      new ProcessBuilder("kill", "-9", String.valueOf(oldPid)).start().waitFor();
      Optional<ProcessHandle> old = ProcessHandle.of(oldPid);
      if (old.isPresent()) {
        old.get().onExit().get(30, TimeUnit.SECONDS);
      }
      Files.createFile(gate); // the dead agent's hook ends; the retried step passes straight through
      Process restarted = new ProcessBuilder(cmd).redirectErrorStream(true)
          .redirectOutput(stack.dataDir.resolve("logs/agent-H1-restarted.log").toFile()).start();
      Files.writeString(stack.dataDir.resolve("pids/agent-H1"), String.valueOf(restarted.pid()));
      Runtime.getRuntime().addShutdownHook(new Thread(restarted::destroy));

      JsonNode wf = awaitClosed(workflowId);
      assertThat(wf.path("status").asText()).as(wf.toString()).isEqualTo("COMPLETED");
      JsonNode inst = stack.get("/instances/" + id);
      assertThat(inst.path("state").asText()).as(wf.toString()).isEqualTo("Running");
      assertThat(inst.path("hostName").asText()).isEqualTo("H1");
      assertThat(Stack.list(inst.path("devices"))).hasSize(1);
      assertThat(stack.get("/instances/" + id + "/domain-xml").path("xml").asText()).contains("<uuid>" + id);

      // the history: one SetUpDomain (the same placement, not a new one), whose last attempt ran on the
      // restarted process after the killed one stopped heartbeating
      List<HistoryEvent> events = stack.temporal().fetchHistory(workflowId).getEvents();
      List<HistoryEvent> scheduled = events.stream().filter(e -> e.hasActivityTaskScheduledEventAttributes()
          && e.getActivityTaskScheduledEventAttributes().getActivityType().getName().equals("SetUpDomain")).toList();
      assertThat(scheduled).as("SetUpDomain scheduled once").hasSize(1);
      long scheduledId = scheduled.get(0).getEventId();
      ActivityTaskStartedEventAttributes started = events.stream()
          .filter(e -> e.hasActivityTaskStartedEventAttributes()
              && e.getActivityTaskStartedEventAttributes().getScheduledEventId() == scheduledId)
          .findFirst().orElseThrow().getActivityTaskStartedEventAttributes();
      assertThat(started.getAttempt()).as("SetUpDomain was retried").isGreaterThanOrEqualTo(2);
      assertThat(started.getIdentity()).as("the last attempt ran on the restarted agent")
          .startsWith(restarted.pid() + "@");
      assertThat(started.getLastFailure().getTimeoutFailureInfo().getTimeoutType())
          .as("the attempt before failed for want of heartbeats: " + started.getLastFailure())
          .isEqualTo(TimeoutType.TIMEOUT_TYPE_HEARTBEAT);
      assertThat(events.stream().filter(e -> e.hasActivityTaskCompletedEventAttributes()
          && e.getActivityTaskCompletedEventAttributes().getScheduledEventId() == scheduledId))
          .singleElement().satisfies(e -> assertThat(e.getActivityTaskCompletedEventAttributes().getIdentity())
              .startsWith(restarted.pid() + "@"));
      assertNothingLeaked();
    } finally {
      Files.deleteIfExists(hook);
      if (!Files.exists(gate)) {
        Files.createFile(gate);
      }
    }
  }

  @Test
  void concurrentRequestsWithOneIdempotencyKeyCreateOneInstance() throws Exception {
    Tenants.Tenant t = Tenants.tenant(stack, "idem2", Tenants.unlimited());
    String offering = Tenants.offering(stack, "ACS Misc Card", "passthrough", 1, 1, 100, 128);
    ExecutorService pool = Executors.newFixedThreadPool(2);
    List<String> created = new java.util.ArrayList<>();
    try {
      for (int round = 0; round < 3; round++) {
        String key = UUID.randomUUID().toString();
        CyclicBarrier together = new CyclicBarrier(2);
        List<Future<Stack.Response>> both = new java.util.ArrayList<>();
        for (int n = 0; n < 2; n++) {
          both.add(pool.submit(() -> {
            together.await();
            return Tenants.deploy(stack, t.key(), "same", offering, template, key);
          }));
        }
        Stack.Response a = both.get(0).get();
        Stack.Response b = both.get(1).get();
        assertThat(a.status()).as(a.raw()).isEqualTo(202);
        assertThat(b.status()).as(b.raw()).isEqualTo(202);
        assertThat(b.body().path("id").asText()).as("same instance for both replies").isEqualTo(a.body().path("id").asText());
        created.add(a.body().path("id").asText());
      }
    } finally {
      pool.shutdownNow();
    }
    for (String id : created) {
      assertThat(awaitClosed("deploy-" + id).path("status").asText()).isEqualTo("COMPLETED");
    }
    try (Connection c = stack.db(); PreparedStatement s = c.prepareStatement(
        "SELECT COUNT(*), COUNT(DISTINCT id), SUM(state = 'Running') FROM instances WHERE account_id = ?")) {
      s.setString(1, t.accountId());
      ResultSet rs = s.executeQuery();
      rs.next();
      assertThat(rs.getInt(1)).as("one instance row per key").isEqualTo(3);
      assertThat(rs.getInt(3)).isEqualTo(3);
    }
    assertThat(ids(Stack.list(stack.call("GET", "/instances", null, t.key()).body())))
        .containsExactlyInAnyOrderElementsOf(created);
  }

  @Test
  void deployWorkflowCarriesInstanceUuidAccountAndHostName() {
    Tenants.Tenant t = Tenants.tenant(stack, "attrs", Tenants.unlimited());
    String account = stack.get("/accounts/" + t.accountId()).path("name").asText();
    String offering = Tenants.offering(stack, "ACS Misc Card", "passthrough", 1, 1, 100, 128);
    JsonNode inst = Tenants.deployAndWait(stack, t.key(), "attrs", offering, template);
    assertThat(inst.path("state").asText()).as(inst.toString()).isEqualTo("Running");
    assertThat(inst.path("hostName").asText()).isEqualTo("M1"); // the only host with Misc cards
    String id = inst.path("id").asText();

    WorkflowExecutionDescription d = stack.temporal().newUntypedWorkflowStub("deploy-" + id).describe();
    assertThat(d.getWorkflowType()).isEqualTo("Deploy");
    SearchAttributes attrs = d.getTypedSearchAttributes();
    assertThat(attrs.get(SearchAttributeKey.forKeyword("InstanceUuid"))).isEqualTo(id);
    assertThat(attrs.get(SearchAttributeKey.forKeyword("Account"))).isEqualTo(account);
    assertThat(attrs.get(SearchAttributeKey.forKeyword("HostName"))).isEqualTo("M1");
    // and indexed: operators find it by them in the Temporal UI (visibility catches up asynchronously)
    String query = "InstanceUuid = '" + id + "' AND Account = '" + account + "' AND HostName = 'M1'";
    Stack.await("visibility to list " + query, Duration.ofSeconds(30), () -> stack.temporal().listExecutions(query)
        .anyMatch(m -> m.getExecution().getWorkflowId().equals("deploy-" + id)));
  }

  static Set<String> ids(List<JsonNode> instances) {
    return instances.stream().map(i -> i.path("id").asText()).collect(Collectors.toSet());
  }
}
