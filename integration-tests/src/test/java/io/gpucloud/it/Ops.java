package io.gpucloud.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * Helpers of the instance lifecycle tests (issue 11): the operations over HTTP, waits on observable
 * conditions, the devices and libvirt domains of a simulated host, gate hooks and agent restarts.
 */
final class Ops {
  static final Duration WORKFLOW_TIMEOUT = Duration.ofSeconds(120);

  private Ops() {}

  // ---- operations ----

  /** POST /instances/{id}/{verb} (stop, start, reboot, scale, migrate) as the key's owner. */
  static Stack.Response post(Stack stack, String key, String id, String verb, Object body) {
    return stack.call("POST", "/instances/" + id + "/" + verb, body, key);
  }

  /** DELETE /instances/{id}. */
  static Stack.Response destroy(Stack stack, String key, String id) {
    return stack.call("DELETE", "/instances/" + id, null, key);
  }

  /** The workflow id an accepted operation must name: {@code <verb>-<id>-<n>}, or {@code destroy-<id>}. */
  static void assertWorkflowId(String verb, String id, Stack.Response r) {
    String wf = r.body().path("workflowId").asText();
    if (verb.equals("destroy")) {
      assertThat(wf).as(r.raw()).isEqualTo("destroy-" + id);
    } else {
      assertThat(wf).as(r.raw()).matches(verb + "-" + id + "-[0-9]+");
    }
  }

  /**
   * Sends the operation, checks its 202 (the instance in the operation's transitional state, the workflow
   * id's shape), waits for the workflow to close and returns GET /workflows/{id}.
   */
  static JsonNode run(Stack stack, String key, String id, String verb, Object body) {
    Stack.Response r = verb.equals("destroy") ? destroy(stack, key, id) : post(stack, key, id, verb, body);
    assertThat(r.status()).as(verb + " " + id + ": " + r.raw()).isEqualTo(202);
    assertThat(r.body().path("id").asText()).isEqualTo(id);
    assertThat(r.body().path("state").asText()).as(r.raw()).isEqualTo(transitional(verb));
    assertWorkflowId(verb, id, r);
    return stack.awaitWorkflow(r.body().path("workflowId").asText(), WORKFLOW_TIMEOUT);
  }

  /** {@link #run} that must complete; returns the instance as an Admin sees it afterwards. */
  static JsonNode ok(Stack stack, String key, String id, String verb, Object body) {
    JsonNode wf = run(stack, key, id, verb, body);
    JsonNode inst = instance(stack, id);
    assertThat(wf.path("status").asText()).as(verb + " of " + id + ": " + wf + "\ninstance: " + inst)
        .isEqualTo("COMPLETED");
    return inst;
  }

  static String transitional(String verb) {
    return switch (verb) {
      case "stop" -> "Stopping";
      case "start" -> "Starting";
      case "reboot" -> "Rebooting";
      case "migrate" -> "Migrating";
      case "scale" -> "Scaling";
      case "destroy" -> "Destroying";
      default -> throw new IllegalArgumentException(verb);
    };
  }

  /** GET /instances/{id} as Admin (host, devices with addresses). */
  static JsonNode instance(Stack stack, String id) {
    return stack.get("/instances/" + id);
  }

  static String state(Stack stack, String id) {
    return instance(stack, id).path("state").asText();
  }

  /** A deploy that must end Running; the instance as Admin sees it. */
  static JsonNode running(Stack stack, Tenants.Tenant owner, String name, String offering, String template) {
    JsonNode i = Tenants.deployAndWait(stack, owner.key(), name, offering, template);
    assertThat(i.path("state").asText()).as(i.toString()).isEqualTo("Running");
    assertThat(Stack.list(i.path("devices"))).hasSize(i.path("gpuCount").asInt());
    return i;
  }

  /** Destroys whatever of the ids is not Destroyed yet (clean-up: failures are reported, not thrown). */
  static void destroyAll(Stack stack, List<String> ids) {
    for (String id : ids) {
      try {
        Stack.Response r = stack.admin("GET", "/instances/" + id, null);
        if (r.status() != 200) {
          continue;
        }
        // wait for whatever runs on it to end first
        Stack.await("instance " + id + " in a stable state", WORKFLOW_TIMEOUT,
            () -> Set.of("Running", "Stopped", "Error", "Destroyed").contains(state(stack, id)), Duration.ofMillis(500));
        if (!state(stack, id).equals("Destroyed")) {
          Stack.Response d = destroy(stack, stack.adminKey, id);
          if (d.status() == 202) {
            stack.awaitWorkflow(d.body().path("workflowId").asText(), WORKFLOW_TIMEOUT);
          }
        }
      } catch (RuntimeException | AssertionError e) {
        System.err.println("clean-up of instance " + id + " failed: " + e);
      }
    }
  }

  // ---- devices, limits, hosts ----

  static List<String> ids(JsonNode array) {
    return Stack.list(array).stream().map(n -> n.path("id").asText()).toList();
  }

  /** The devices of the instance (Admin view): id -> busAddress. */
  static Map<String, String> devicesOf(JsonNode instance) {
    return Stack.list(instance.path("devices")).stream()
        .collect(Collectors.toMap(d -> d.path("id").asText(), d -> d.path("busAddress").asText()));
  }

  /** GET /gpu-devices/{id} as Admin. */
  static JsonNode device(Stack stack, String deviceId) {
    return stack.get("/gpu-devices/" + deviceId);
  }

  /** The assignable devices of a card on a host (VGPU_ONLY parents left out). */
  static List<JsonNode> devices(Stack stack, String hostId, String cardName) {
    return Stack.list(stack.get("/gpu-devices?hostId=" + hostId)).stream()
        .filter(d -> d.path("cardName").asText().equals(cardName) && !d.path("type").asText().equals("VGPU_ONLY"))
        .toList();
  }

  static long freeDevices(Stack stack, String hostId, String cardName) {
    return devices(stack, hostId, cardName).stream().filter(d -> d.path("state").asText().equals("Free")
        && !d.path("instanceId").isTextual()).count();
  }

  /** Every device of the card on the host: Free, or Allocated to a Running/Stopped instance that lists it. */
  static void assertDevicesConsistent(Stack stack, String hostId, String cardName) {
    for (JsonNode d : devices(stack, hostId, cardName)) {
      String st = d.path("state").asText();
      assertThat(st).as("device " + d).isIn("Free", "Allocated");
      if (st.equals("Free")) {
        assertThat(d.path("instanceId").isTextual()).as("a Free device names no instance: " + d).isFalse();
      } else {
        JsonNode holder = instance(stack, d.path("instanceId").asText());
        assertThat(holder.path("state").asText()).as("holder of " + d).isIn("Running", "Stopped");
        assertThat(holder.path("hostId").asText()).as("holder of " + d + " is on the device's host").isEqualTo(hostId);
        assertThat(devicesOf(holder)).as("holder of " + d + " lists it").containsKey(d.path("id").asText());
      }
    }
  }

  /** GET /accounts/{id}/limits as Admin. */
  static JsonNode accountLimits(Stack stack, String accountId) {
    return stack.get("/accounts/" + accountId + "/limits");
  }

  static int gpuTotal(Stack stack, String accountId) {
    JsonNode l = accountLimits(stack, accountId);
    assertThat(l.has("gpuTotal")).as(l.toString()).isTrue();
    return l.path("gpuTotal").asInt();
  }

  static JsonNode host(Stack stack, String hostId) {
    return stack.get("/hosts/" + hostId);
  }

  // ---- domain settings ----

  static void setDetachOnStop(Stack stack, String domainId, Boolean value) {
    Map<String, Object> body = new java.util.HashMap<>();
    body.put("gpu.detach.on.stop", value);
    Stack.Response r = stack.admin("PUT", "/domains/" + domainId + "/settings", body);
    assertThat(r.status()).as(r.raw()).isEqualTo(200);
  }

  /** The effective gpu.detach.on.stop of a domain as GET /domains/{id}/settings shows it. */
  static JsonNode detachOnStop(Stack stack, String domainId) {
    return stack.get("/domains/" + domainId + "/settings").path("settings").path("gpu.detach.on.stop");
  }

  // ---- libvirt domains of the simulated hosts ----

  /** GET /instances/{id}/domain-xml: the XML as the instance's host's libvirt holds it now. */
  static String domainXml(Stack stack, String id) {
    Stack.Response r = stack.admin("GET", "/instances/" + id + "/domain-xml", null);
    assertThat(r.status()).as("domain-xml of " + id + ": " + r.raw()).isEqualTo(200);
    return r.body().path("xml").asText();
  }

  /**
   * The host devices of a domain XML: PCI source addresses as dddd:bb:ss.f, mdevs by uuid (lower case), as
   * the API lists busAddress.
   */
  static Set<String> hostdevs(String xml) {
    try {
      DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
      f.setNamespaceAware(false);
      Document doc = f.newDocumentBuilder().parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
      NodeList hostdevs = doc.getElementsByTagName("hostdev");
      Set<String> out = new HashSet<>();
      for (int i = 0; i < hostdevs.getLength(); i++) {
        Element h = (Element) hostdevs.item(i);
        Element source = (Element) h.getElementsByTagName("source").item(0);
        Element a = (Element) source.getElementsByTagName("address").item(0);
        if (h.getAttribute("type").equals("mdev")) {
          out.add(a.getAttribute("uuid").toLowerCase(Locale.ROOT));
        } else {
          out.add(String.format("%04x:%02x:%02x.%x", Integer.decode(a.getAttribute("domain")),
              Integer.decode(a.getAttribute("bus")), Integer.decode(a.getAttribute("slot")),
              Integer.decode(a.getAttribute("function"))));
        }
      }
      return out;
    } catch (Exception e) {
      throw new AssertionError("not a domain XML: " + xml, e);
    }
  }

  static Set<String> lower(java.util.Collection<String> s) {
    return s.stream().map(x -> x.toLowerCase(Locale.ROOT)).collect(Collectors.toSet());
  }

  /** The running instance's domain on its host holds exactly its devices and has its uuid. */
  static void assertDomainHoldsItsDevices(Stack stack, JsonNode instance) {
    String id = instance.path("id").asText();
    String xml = domainXml(stack, id);
    assertThat(xml).contains("<uuid>" + id + "</uuid>");
    assertThat(hostdevs(xml)).as("hostdevs of the domain on " + instance.path("hostName").asText() + ":\n" + xml)
        .isEqualTo(lower(devicesOf(instance).values()));
  }

  /** The state directory of a simulated host's agent. */
  static Path hostDir(Stack stack, String hostName) {
    return stack.dataDir.resolve("hosts/" + hostName);
  }

  /**
   * Whether the simulated host's libvirt has the domain defined: the agent keeps every defined domain in
   * {@code <state-dir>/domains/<uuid>.xml} (written at define, deleted at undefine) and brings them back
   * when it restarts, as a real host's libvirt does.
   */
  static boolean domainDefined(Stack stack, String hostName, String id) {
    return Files.exists(hostDir(stack, hostName).resolve("domains/" + id + ".xml"));
  }

  /** The mdevs the host's agent created for the instance and has not removed ({@code instances/mdevs-<id>.json}). */
  static int createdMdevs(Stack stack, String hostName, String id) {
    Path f = hostDir(stack, hostName).resolve("instances/mdevs-" + id + ".json");
    if (!Files.exists(f)) {
      return 0;
    }
    try {
      return Stack.JSON.readTree(f.toFile()).path("mdevs").size();
    } catch (java.io.IOException e) {
      throw new AssertionError("unreadable " + f, e);
    }
  }

  // ---- hooks ----

  /** The state hook of a simulated host (libvirt-vm-state-change.sh onStart|onStop <vm>). */
  static Path stateHook(Stack stack, String hostName) {
    return hostDir(stack, hostName).resolve("hooks/libvirt-vm-state-change.sh");
  }

  static void writeHook(Path hook, String script) throws java.io.IOException {
    Files.createDirectories(hook.getParent());
    Path tmp = hook.resolveSibling(hook.getFileName() + ".tmp");
    Files.writeString(tmp, script);
    Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.move(tmp, hook, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
  }

  /**
   * A state hook that, for {@code phase} of the VM {@code vmName} only, touches {@code entered} and then holds
   * the step until {@code gate} exists; every other call passes.
   */
  static String gateHook(String phase, String vmName, Path entered, Path gate) {
    return "#!/bin/sh\nif [ \"$1\" = '" + phase + "' ] && [ \"$2\" = '" + vmName + "' ]; then\n  touch '" + entered
        + "'\n  while [ ! -e '" + gate + "' ]; do sleep 0.1; done\nfi\nexit 0\n";
  }

  /** A state hook that fails {@code phase} of the VM {@code vmName} only. */
  static String failingHook(String phase, String vmName, String message) {
    return "#!/bin/sh\nif [ \"$1\" = '" + phase + "' ] && [ \"$2\" = '" + vmName + "' ]; then\n  echo '" + message
        + "' >&2\n  exit 1\nfi\nexit 0\n";
  }

  // ---- agents ----

  /** The command line of a running process of the stack (to restart it the same way). */
  static List<String> commandLine(long pid) throws java.io.IOException {
    return List.of(new String(Files.readAllBytes(Path.of("/proc/" + pid + "/cmdline")), StandardCharsets.UTF_8)
        .split("\0"));
  }

  /** kill -9 of the process; returns once it is gone. */
  static void kill9(long pid) throws Exception {
    new ProcessBuilder("kill", "-9", String.valueOf(pid)).start().waitFor();
    Optional<ProcessHandle> old = ProcessHandle.of(pid);
    if (old.isPresent()) {
      old.get().onExit().get(30, TimeUnit.SECONDS);
    }
  }

  /** Starts an agent again with its old command line; its pid file names the new process. */
  static Process restartAgent(Stack stack, String hostName, List<String> cmd) throws java.io.IOException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(stack.dataDir.resolve("logs/agent-" + hostName + "-restarted-" + Instant.now().toEpochMilli()
            + ".log").toFile())
        .start();
    Files.writeString(stack.dataDir.resolve("pids/agent-" + hostName), String.valueOf(p.pid()));
    Runtime.getRuntime().addShutdownHook(new Thread(p::destroy));
    return p;
  }

  // ---- events ----

  /** GET /events with the query (e.g. "instanceId=..."), as the key's owner; must be 200. */
  static List<JsonNode> events(Stack stack, String key, String query) {
    Stack.Response r = stack.call("GET", "/events?limit=1000&" + query, null, key);
    assertThat(r.status()).as("GET /events?" + query + ": " + r.raw()).isEqualTo(200);
    return Stack.list(r.body());
  }

  /** "TYPE/State" of each event, e.g. "VM.STOP/Completed". */
  static Set<String> typeStates(List<JsonNode> events) {
    return events.stream().map(e -> e.path("type").asText() + "/" + e.path("state").asText())
        .collect(Collectors.toSet());
  }
}
