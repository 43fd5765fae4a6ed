package io.gpucloud.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/** Agents register, discovery fills the inventory, and bad discovery output changes nothing. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DiscoveryTest {
  static Stack stack;

  @BeforeAll
  static void up() {
    stack = Stack.get();
    // both agents registered and their first discovery reconciled
    Stack.await("H1 and H2 discovered", Duration.ofMinutes(2), () -> {
      List<JsonNode> hosts = Stack.list(stack.get("/hosts"));
      return hosts.size() >= 2 && hosts.stream().allMatch(h -> !h.path("lastDiscoveryAt").isNull()
          && h.path("lastDiscoveryAt").isTextual());
    });
  }

  static JsonNode host(String name) {
    return Stack.list(stack.get("/hosts")).stream().filter(h -> h.path("name").asText().equals(name))
        .findFirst().orElseThrow(() -> new AssertionError("no host " + name));
  }

  static List<JsonNode> devices(String hostId) {
    return Stack.list(stack.get("/gpu-devices?hostId=" + hostId));
  }

  static String discover(String hostName) {
    Stack.Response r = stack.admin("POST", "/hosts/" + host(hostName).path("id").asText() + "/discover", null);
    assertThat(r.status()).as(r.raw()).isEqualTo(202);
    String id = r.body().path("workflowId").asText();
    assertThat(id).startsWith("discover-" + hostName + "-");
    return id;
  }

  static void writeHook(Path hook, String script) throws Exception {
    Files.writeString(hook, script);
    Files.setPosixFilePermissions(hook, PosixFilePermissions.fromString("rwxr-xr-x"));
  }

  @Test
  @Order(1)
  void discoveryFillsTheInventoryWithTheDemoCardsAndProfiles() {
    JsonNode h1 = host("H1");
    assertThat(h1.path("state").asText()).isEqualTo("Up");
    assertThat(h1.path("resourceState").asText()).isEqualTo("Enabled");
    // CPU and RAM come from the libvirt test driver through libvirt-java
    assertThat(h1.path("cpuCores").asInt()).isEqualTo(32);
    assertThat(h1.path("cpuMhz").asInt()).isEqualTo(2000);
    assertThat(h1.path("memoryMb").asLong()).isEqualTo(131072);
    assertThat(h1.path("gpuTotal").asInt()).isEqualTo(20);
    // other test classes may have deployed onto H1 already: what is used is what instances hold
    long held = devices(h1.path("id").asText()).stream().filter(d -> d.path("instanceId").isTextual()).count();
    assertThat(h1.path("gpuUsed").asLong()).isEqualTo(held);

    JsonNode summary = stack.get("/hosts/" + h1.path("id").asText() + "/gpu-summary");
    Map<String, JsonNode> cards = Stack.list(summary.isArray() ? summary : summary.path("cards")).stream()
        .collect(Collectors.toMap(c -> c.path("cardName").asText(), c -> c));
    assertThat(cards.get("ACS Simulated Graphics Card Basic").path("total").asInt()).isEqualTo(4);
    JsonNode basic = cards.get("ACS Simulated Graphics Card Basic");
    assertThat(basic.path("available").asInt() + basic.path("allocated").asInt()).isEqualTo(4);
    JsonNode pro = cards.get("ACS Simulated Graphics Card Pro");
    assertThat(pro.path("total").asInt()).isEqualTo(16);
    Map<String, Integer> perProfile = Stack.list(pro.path("profiles")).stream()
        .collect(Collectors.toMap(p -> p.path("profileName").asText(), p -> p.path("total").asInt()));
    assertThat(perProfile).containsEntry("sim-8q", 4).containsEntry("sim-4q", 4).containsEntry("sim-2q", 8);

    List<JsonNode> h1Devices = devices(h1.path("id").asText());
    assertThat(h1Devices.stream().filter(d -> d.path("type").asText().equals("VGPU_ONLY")).count()).isEqualTo(4);
    assertThat(h1Devices.stream().filter(d -> d.path("type").asText().equals("MDEV")).count()).isEqualTo(16);
    assertThat(h1Devices).allSatisfy(d ->
        assertThat(d.path("state").asText()).isIn("Free", "Reserved", "Allocated", "PartiallyAllocated"));
    assertThat(h1Devices.stream().filter(d -> d.path("type").asText().equals("MDEV")))
        .allSatisfy(d -> assertThat(d.path("parentDeviceId").asText()).isNotBlank());

    JsonNode card = Stack.list(stack.get("/gpu-cards")).stream()
        .filter(c -> c.path("name").asText().equals("ACS Simulated Graphics Card Pro")).findFirst().orElseThrow();
    Map<String, JsonNode> profiles = Stack.list(stack.get("/vgpu-profiles?cardId=" + card.path("id").asText()))
        .stream().collect(Collectors.toMap(p -> p.path("name").asText(), p -> p));
    assertThat(profiles.keySet()).contains("passthrough", "sim-8q", "sim-4q", "sim-2q");
    JsonNode s8 = profiles.get("sim-8q");
    assertThat(s8.path("videoRamMb").asLong()).isEqualTo(8192);
    assertThat(s8.path("maxHeads").asInt()).isEqualTo(4);
    assertThat(s8.path("maxResolutionX").asInt()).isEqualTo(4096);
    assertThat(s8.path("maxResolutionY").asInt()).isEqualTo(2160);
    assertThat(s8.path("maxVgpusPerGpu").asInt()).isEqualTo(2);

    // H2: another mix, two NUMA nodes, a non-zero PCI domain and SR-IOV VFs
    JsonNode h2 = host("H2");
    List<JsonNode> h2Devices = devices(h2.path("id").asText());
    assertThat(h2Devices).anySatisfy(d -> {
      assertThat(d.path("busAddress").asText()).isEqualTo("0001:81:00.0");
      assertThat(d.path("numaNode").asInt()).isEqualTo(1);
    });
    assertThat(h2Devices.stream().filter(d -> d.path("type").asText().equals("PCI")
        && !d.path("parentDeviceId").asText("").isEmpty()).count()).as("VFs under their PF").isEqualTo(2);
  }

  @Test
  @Order(2)
  void discoveryWorkflowsCarryTheHostNameSearchAttribute() throws Exception {
    Process p = new ProcessBuilder("temporal", "workflow", "list", "--address", stack.temporalAddress,
        "--query", "HostName = 'H1' AND WorkflowType = 'Discovery'", "--output", "json")
        .redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor()).as(out).isZero();
    assertThat(out).contains("discover-H1-");
  }

  @Test
  @Order(3)
  void rediscoveryAfterADeviceDisappearsMarksItErrorAndItComesBack() throws Exception {
    Path spec = stack.specsDir.resolve("H2.yml");
    String original = Files.readString(spec);
    String without = original.lines().filter(l -> !l.contains("0001:84:00.0"))
        .collect(Collectors.joining("\n", "", "\n"));
    assertThat(without).isNotEqualTo(original);
    String hostId = host("H2").path("id").asText();
    try {
      Files.writeString(spec, without);
      JsonNode wf = stack.awaitWorkflow(discover("H2"), Duration.ofSeconds(60));
      assertThat(wf.path("status").asText()).as(wf.toString()).isEqualTo("COMPLETED");
      JsonNode gone = devices(hostId).stream().filter(d -> d.path("busAddress").asText().equals("0001:84:00.0"))
          .findFirst().orElseThrow(() -> new AssertionError("a missing device must never be deleted"));
      assertThat(gone.path("state").asText()).isEqualTo("Error");
      assertThat(gone.path("errorReason").asText()).contains("missing");
    } finally {
      Files.writeString(spec, original);
    }
    JsonNode wf = stack.awaitWorkflow(discover("H2"), Duration.ofSeconds(60));
    assertThat(wf.path("status").asText()).isEqualTo("COMPLETED");
    JsonNode back = devices(hostId).stream().filter(d -> d.path("busAddress").asText().equals("0001:84:00.0"))
        .findFirst().orElseThrow();
    assertThat(back.path("state").asText()).isEqualTo("Free");
  }

  @Test
  @Order(4)
  void invalidHookOutputLeavesTheInventoryExactlyAsItWasAndIsReported() throws Exception {
    JsonNode h1 = host("H1");
    String hostId = h1.path("id").asText();
    Path hook = stack.hookOf("H1");
    String original = Files.readString(hook);
    Map<String, String> badHooks = Map.of(
        "not JSON", "#!/bin/sh\necho 'this is not json'\n",
        "wrong type", "#!/bin/sh\necho '{\"gpus\": [{\"pci_address\": \"0000:00:01.0\", \"vendor_id\": \"1ae0\","
            + " \"device_id\": \"0001\", \"numa_node\": {\"x\": 1}, \"full_passthrough\": {\"enabled\": 1}}]}'\n",
        "missing field", "#!/bin/sh\necho '{\"gpus\": [{\"vendor_id\": \"1ae0\", \"device_id\": \"0001\","
            + " \"full_passthrough\": {\"enabled\": 1}}]}'\n",
        "duplicate address", "#!/bin/sh\ng='{\"pci_address\": \"0000:00:01.0\", \"vendor_id\": \"1ae0\","
            + " \"device_id\": \"0001\", \"full_passthrough\": {\"enabled\": 1}}'\necho \"{\\\"gpus\\\": [$g, $g]}\"\n",
        "non-zero exit", "#!/bin/sh\necho 'nvidia-smi: driver not loaded' >&2\nexit 3\n",
        "10 MB of garbage", "#!/bin/sh\nhead -c 10485760 /dev/zero | tr '\\0' 'x'\n");
    String before = canonical(devices(hostId));
    int eventsBefore = Stack.list(stack.get("/hosts/" + hostId + "/events?limit=500")).size();
    try {
      for (Map.Entry<String, String> bad : badHooks.entrySet()) {
        writeHook(hook, bad.getValue());
        JsonNode wf = stack.awaitWorkflow(discover("H1"), Duration.ofSeconds(60));
        assertThat(wf.path("status").asText()).as(bad.getKey() + ": " + wf).isEqualTo("FAILED");
        assertThat(wf.path("failure").asText()).as(bad.getKey()).isNotBlank();
        assertThat(canonical(devices(hostId))).as(bad.getKey() + " must leave the inventory as it was")
            .isEqualTo(before);
      }
    } finally {
      writeHook(hook, original);
    }
    List<JsonNode> events = Stack.list(stack.get("/hosts/" + hostId + "/events?limit=500"));
    List<JsonNode> failures = events.stream().filter(e -> e.path("type").asText().equals("DISCOVERY_FAILED")).toList();
    assertThat(events.size() - eventsBefore).isGreaterThanOrEqualTo(badHooks.size());
    assertThat(failures).hasSizeGreaterThanOrEqualTo(badHooks.size());
    assertThat(failures).allSatisfy(e -> assertThat(e.path("level").asText()).isEqualTo("ERROR"));
    String messages = failures.stream().map(e -> e.path("message").asText()).collect(Collectors.joining("\n"));
    assertThat(messages).contains("not valid JSON").contains("numa_node").contains("pci_address")
        .contains("driver not loaded").contains("exceeded");
  }

  @Test
  @Order(5)
  void aHookThatHangsTimesOutAndChangesNothing() throws Exception {
    String hostId = host("H1").path("id").asText();
    Path hook = stack.hookOf("H1");
    String original = Files.readString(hook);
    String before = canonical(devices(hostId));
    try {
      writeHook(hook, "#!/bin/sh\nsleep 600\n");
      JsonNode wf = stack.awaitWorkflow(discover("H1"), Duration.ofSeconds(60));
      assertThat(wf.path("status").asText()).isEqualTo("FAILED");
      assertThat(wf.path("failure").asText()).contains("timed out");
    } finally {
      writeHook(hook, original);
    }
    assertThat(canonical(devices(hostId))).isEqualTo(before);
    // and a good run afterwards works again
    JsonNode ok = stack.awaitWorkflow(discover("H1"), Duration.ofSeconds(60));
    assertThat(ok.path("status").asText()).isEqualTo("COMPLETED");
  }

  /** Devices minus their update timestamps, in a stable order. */
  static String canonical(List<JsonNode> devices) {
    return devices.stream().map(d -> {
      com.fasterxml.jackson.databind.node.ObjectNode o = d.deepCopy();
      o.remove("updatedAt");
      return o.toString();
    }).sorted().collect(Collectors.joining("\n"));
  }
}
