package io.gpucloud.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
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
    assertThat(admin.path("hostName").asText()).isEqualTo("H1"); // the only host with sim-8q
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

  @Test
  void agentKilledMidDeployAndRestartedEndsRunningOrCleanlyUndone() throws Exception {
    Tenants.Tenant t = Tenants.tenant(stack, "crash", Tenants.unlimited());
    String offering = Tenants.offering(stack, "ACS Simulated Graphics Card Basic", "passthrough", 1, 1, 500, 512);
    // a slow transformer hook on H1 (the only host with Basic cards) keeps the deploy mid-step
    Path hook = stack.dataDir.resolve("hosts/H1/hooks/libvirt-vm-xml-transformer.sh");
    Files.writeString(hook, "#!/bin/sh\nsleep 3\ncat\n");
    Files.setPosixFilePermissions(hook, PosixFilePermissions.fromString("rwxr-xr-x"));
    try {
      long pid = stack.pid("agent-H1");
      List<String> cmd = List.of(new String(Files.readAllBytes(Path.of("/proc/" + pid + "/cmdline"))).split("\0"));
      String id = Tenants.deploy(stack, t.key(), "crashy", offering, template, null).body().path("id").asText();
      Stack.await("the deploy to reach H1", Duration.ofSeconds(60),
          () -> "H1".equals(stack.get("/instances/" + id).path("hostName").asText(null)));
      Thread.sleep(1000); // inside the hook now
      new ProcessBuilder("kill", "-9", String.valueOf(pid)).start().waitFor();
      Process restarted = new ProcessBuilder(cmd).redirectErrorStream(true)
          .redirectOutput(stack.dataDir.resolve("logs/agent-H1-restarted.log").toFile()).start();
      Files.writeString(stack.dataDir.resolve("pids/agent-H1"), String.valueOf(restarted.pid()));
      Runtime.getRuntime().addShutdownHook(new Thread(restarted::destroy));

      JsonNode wf = awaitClosed("deploy-" + id);
      JsonNode inst = stack.get("/instances/" + id);
      assertThat(inst.path("state").asText()).as(wf.toString()).isIn("Running", "Error");
      if (inst.path("state").asText().equals("Running")) {
        assertThat(Stack.list(inst.path("devices"))).hasSize(1);
        assertThat(stack.get("/instances/" + id + "/domain-xml").path("xml").asText()).contains("<uuid>" + id);
      } else {
        assertThat(Stack.list(inst.path("devices"))).isEmpty();
      }
      assertNothingLeaked();
    } finally {
      Files.deleteIfExists(hook);
    }
  }

  static Set<String> ids(List<JsonNode> instances) {
    return instances.stream().map(i -> i.path("id").asText()).collect(Collectors.toSet());
  }
}
