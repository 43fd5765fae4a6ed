package io.gpucloud.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Stop, start, scale, migrate and destroy of instances on the real stack (issue 11), on the 4 'ACS Lifecycle
 * Card' GPUs of the test-only host LC1, which no other host has: stop with gpu.detach.on.stop off and on (per
 * domain), the refusals, concurrent requests on one instance, destroy from every stable state.
 */
class LifecycleTest {
  static final String CARD = "ACS Lifecycle Card";
  static final String HOST = "LC1";

  static Stack stack;
  static String hostId;
  static String template;
  /** 1 GPU, 1 core x 500 MHz, 512 MB. */
  static String one;
  /** every GPU LC1 has. */
  static String all;
  final List<String> created = new ArrayList<>();

  @BeforeAll
  static void up() {
    stack = Stack.get();
    stack.awaitHosts(HOST);
    hostId = stack.hostId(HOST);
    template = Tenants.template(stack);
    one = Tenants.offering(stack, CARD, "passthrough", 1, 1, 500, 512);
    all = Tenants.offering(stack, CARD, "passthrough", 4, 1, 500, 512);
  }

  @AfterEach
  void cleanUp() {
    Ops.destroyAll(stack, created);
  }

  JsonNode running(Tenants.Tenant owner, String name, String offering) {
    JsonNode i = Ops.running(stack, owner, name, offering, template);
    created.add(i.path("id").asText());
    assertThat(i.path("hostName").asText()).isEqualTo(HOST);
    return i;
  }

  static String tag() {
    return UUID.randomUUID().toString().substring(0, 6);
  }

  @Test
  void stopWithDetachOffKeepsTheDevicesHeldAndACompetingDeployCannotTakeThem() {
    String domain = Tenants.domain(stack, Tenants.ROOT_DOMAIN, "keep-" + tag());
    JsonNode setting = Ops.detachOnStop(stack, domain);
    assertThat(setting.path("value").asBoolean(true)).as("gpu.detach.on.stop defaults to false: " + setting).isFalse();
    assertThat(setting.path("own").asBoolean(true)).as("inherited, not the domain's own: " + setting).isFalse();
    Tenants.Tenant t = Tenants.tenantIn(stack, domain, "keep", "User", Tenants.unlimited());
    JsonNode x = running(t, "keeper", all);
    String id = x.path("id").asText();
    Map<String, String> held = Ops.devicesOf(x);
    assertThat(held).hasSize(4);
    assertThat(Ops.gpuTotal(stack, t.accountId())).isEqualTo(4);
    assertThat(Ops.domainDefined(stack, HOST, id)).as("the deployed domain is defined on LC1").isTrue();

    JsonNode stopped = Ops.ok(stack, t.key(), id, "stop", null);
    assertThat(stopped.path("state").asText()).isEqualTo("Stopped");
    assertThat(stopped.path("hostName").asText()).isEqualTo(HOST);
    assertThat(Ops.devicesOf(stopped)).as("the Stopped instance still holds its devices").isEqualTo(held);
    for (String d : held.keySet()) {
      JsonNode dev = Ops.device(stack, d);
      assertThat(dev.path("instanceId").asText()).as(dev.toString()).isEqualTo(id);
      assertThat(dev.path("state").asText()).as(dev.toString()).isEqualTo("Allocated");
    }
    assertThat(Ops.gpuTotal(stack, t.accountId())).as("held devices still count").isEqualTo(4);
    assertThat(Ops.domainDefined(stack, HOST, id)).as("stop undefines the domain on its host").isFalse();
    assertThat(Ops.freeDevices(stack, hostId, CARD)).isZero();

    // another tenant's deploy of the same card finds no room: the Stopped instance keeps its devices
    Tenants.Tenant rival = Tenants.tenant(stack, "rival", Tenants.unlimited());
    JsonNode lost = Tenants.deployAndWait(stack, rival.key(), "rival", one, template);
    created.add(lost.path("id").asText());
    assertThat(lost.path("state").asText()).as(lost.toString()).isEqualTo("Error");
    assertThat(lost.path("errorReason").asText()).contains("insufficient capacity");
    assertThat(Stack.list(lost.path("devices"))).isEmpty();
    assertThat(Ops.devicesOf(Ops.instance(stack, id))).isEqualTo(held);

    // and the instance starts again on the same host with the same devices
    JsonNode again = Ops.ok(stack, t.key(), id, "start", null);
    assertThat(again.path("state").asText()).isEqualTo("Running");
    assertThat(again.path("hostName").asText()).isEqualTo(HOST);
    assertThat(Ops.devicesOf(again)).isEqualTo(held);
    Ops.assertDomainHoldsItsDevices(stack, again);
    Ops.assertDevicesConsistent(stack, hostId, CARD);
  }

  @Test
  void detachOnStopSetForOneDomainFreesItsDevicesAtStopAndStartReservesThemAgain() {
    // the setting on a domain; its sub-domain inherits it; a sibling domain keeps the global default
    String detaching = Tenants.domain(stack, Tenants.ROOT_DOMAIN, "detach-" + tag());
    String sub = Tenants.domain(stack, detaching, "sub");
    String other = Tenants.domain(stack, Tenants.ROOT_DOMAIN, "other-" + tag());
    Ops.setDetachOnStop(stack, detaching, true);
    assertThat(Ops.detachOnStop(stack, detaching).path("value").asBoolean()).isTrue();
    assertThat(Ops.detachOnStop(stack, detaching).path("own").asBoolean()).isTrue();
    assertThat(Ops.detachOnStop(stack, sub).path("value").asBoolean()).as("inherited from the parent").isTrue();
    assertThat(Ops.detachOnStop(stack, sub).path("own").asBoolean()).isFalse();
    assertThat(Ops.detachOnStop(stack, other).path("value").asBoolean(true)).isFalse();

    Tenants.Tenant a = Tenants.tenantIn(stack, sub, "detach", "User", Tenants.unlimited());
    Tenants.Tenant b = Tenants.tenantIn(stack, other, "attach", "User", Tenants.unlimited());
    JsonNode ia = running(a, "a-vm", one);
    JsonNode ib = running(b, "b-vm", one);
    String aId = ia.path("id").asText();
    String bId = ib.path("id").asText();
    String aDevice = Ops.devicesOf(ia).keySet().iterator().next();
    Map<String, String> bDevices = Ops.devicesOf(ib);
    assertThat(Ops.gpuTotal(stack, a.accountId())).isEqualTo(1);
    assertThat(Ops.gpuTotal(stack, b.accountId())).isEqualTo(1);

    JsonNode sa = Ops.ok(stack, a.key(), aId, "stop", null);
    JsonNode sb = Ops.ok(stack, b.key(), bId, "stop", null);

    // a's domain detaches: its device is Free again, and its GPU no longer counts
    assertThat(sa.path("state").asText()).isEqualTo("Stopped");
    assertThat(Stack.list(sa.path("devices"))).as("devices given back at stop: " + sa).isEmpty();
    JsonNode freed = Ops.device(stack, aDevice);
    assertThat(freed.path("state").asText()).as(freed.toString()).isEqualTo("Free");
    assertThat(freed.path("instanceId").isTextual()).as(freed.toString()).isFalse();
    assertThat(Ops.gpuTotal(stack, a.accountId())).as("GPU quota released at stop").isZero();
    // b's domain does not: unaffected
    assertThat(sb.path("state").asText()).isEqualTo("Stopped");
    assertThat(Ops.devicesOf(sb)).isEqualTo(bDevices);
    assertThat(Ops.device(stack, bDevices.keySet().iterator().next()).path("instanceId").asText()).isEqualTo(bId);
    assertThat(Ops.gpuTotal(stack, b.accountId())).isEqualTo(1);

    // start reserves again, through placement, and counts again
    JsonNode ra = Ops.ok(stack, a.key(), aId, "start", null);
    assertThat(ra.path("state").asText()).isEqualTo("Running");
    assertThat(ra.path("hostName").asText()).isEqualTo(HOST);
    assertThat(Stack.list(ra.path("devices"))).hasSize(1);
    Ops.assertDomainHoldsItsDevices(stack, ra);
    assertThat(Ops.gpuTotal(stack, a.accountId())).isEqualTo(1);
    JsonNode rb = Ops.ok(stack, b.key(), bId, "start", null);
    assertThat(Ops.devicesOf(rb)).as("held across the stop: the same device").isEqualTo(bDevices);
    Ops.assertDomainHoldsItsDevices(stack, rb);

    // null removes the domain's own value: it inherits (false) again
    Ops.setDetachOnStop(stack, detaching, null);
    assertThat(Ops.detachOnStop(stack, detaching).path("own").asBoolean(true)).isFalse();
    assertThat(Ops.detachOnStop(stack, sub).path("value").asBoolean(true)).isFalse();
    Ops.assertDevicesConsistent(stack, hostId, CARD);
  }

  @Test
  void liveMigrationAndScalingOfARunningGpuInstanceAndWrongStatesAreRefusedWithoutAnyChange() {
    Tenants.Tenant t = Tenants.tenant(stack, "refused", Tenants.unlimited());
    JsonNode x = running(t, "refused", one);
    String id = x.path("id").asText();
    Map<String, String> held = Ops.devicesOf(x);
    String bigger = Tenants.offering(stack, CARD, "passthrough", 2, 2, 500, 1024);

    assertConflict(Ops.post(stack, t.key(), id, "migrate", Map.of()),
        "live migration of a GPU instance is not supported; stop it first");
    assertConflict(Ops.post(stack, t.key(), id, "migrate", Map.of("hostId", stack.hostId("H2"))),
        "live migration of a GPU instance is not supported; stop it first");
    assertConflict(Ops.post(stack, t.key(), id, "scale", Map.of("offeringId", bigger)),
        "dynamic scaling of a GPU instance is not supported; stop it first");
    assertConflict(Ops.post(stack, t.key(), id, "start", null), "Running");
    JsonNode after = Ops.instance(stack, id);
    assertThat(after.path("state").asText()).isEqualTo("Running");
    assertThat(after.path("offeringId").asText()).isEqualTo(one);
    assertThat(after.path("workflowId").asText()).as("no operation was begun").isEqualTo("deploy-" + id);
    assertThat(Ops.devicesOf(after)).isEqualTo(held);
    assertThat(Ops.typeStates(Ops.events(stack, stack.adminKey, "instanceId=" + id)))
        .as("a refused request records no operation").noneMatch(s -> s.startsWith("VM.MIGRATE")
            || s.startsWith("VM.UPGRADE") || s.startsWith("VM.START"));

    Ops.ok(stack, t.key(), id, "stop", null);
    assertConflict(Ops.post(stack, t.key(), id, "stop", null), "Stopped");
    assertConflict(Ops.post(stack, t.key(), id, "reboot", null), "Stopped");
    assertConflict(Ops.post(stack, t.key(), id, "migrate", Map.of("hostId", hostId)), null); // its own host
    assertThat(Ops.state(stack, id)).isEqualTo("Stopped");

    // destroy: hidden from the default listing, shown with ?state=Destroyed, and final
    JsonNode gone = Ops.ok(stack, t.key(), id, "destroy", null);
    assertThat(gone.path("state").asText()).isEqualTo("Destroyed");
    assertThat(Ops.ids(stack.call("GET", "/instances", null, t.key()).body())).doesNotContain(id);
    assertThat(Ops.ids(stack.call("GET", "/instances?state=Destroyed", null, t.key()).body())).contains(id);
    assertConflict(Ops.post(stack, t.key(), id, "start", null), "Destroyed");
    assertConflict(Ops.destroy(stack, t.key(), id), "Destroyed");
  }

  static void assertConflict(Stack.Response r, String messagePart) {
    assertThat(r.status()).as(r.raw()).isEqualTo(409);
    assertThat(r.body().path("code").asInt()).as(r.raw()).isEqualTo(409);
    assertThat(r.body().path("message").asText()).as(r.raw()).isNotBlank();
    if (messagePart != null) {
      assertThat(r.body().path("message").asText()).as(r.raw()).contains(messagePart);
    }
  }

  /** Sends both requests at once; exactly one must be 202, the other 409 naming a state. Returns the 202. */
  static Stack.Response race(ExecutorService pool, Supplier<Stack.Response> first, Supplier<Stack.Response> second)
      throws Exception {
    CyclicBarrier together = new CyclicBarrier(2);
    Future<Stack.Response> f1 = pool.submit(() -> {
      together.await();
      return first.get();
    });
    Future<Stack.Response> f2 = pool.submit(() -> {
      together.await();
      return second.get();
    });
    List<Stack.Response> both = List.of(f1.get(), f2.get());
    List<Stack.Response> accepted = both.stream().filter(r -> r.status() == 202).toList();
    List<Stack.Response> refused = both.stream().filter(r -> r.status() == 409).toList();
    assertThat(accepted).as("exactly one 202: " + both).hasSize(1);
    assertThat(refused).as("and one 409: " + both).hasSize(1);
    assertThat(refused.get(0).body().path("message").asText()).as(refused.get(0).raw())
        .containsAnyOf("Running", "Stopped", "Stopping", "Starting", "Destroying", "Destroyed");
    return accepted.get(0);
  }

  @Test
  void concurrentRequestsOnOneInstanceGiveOne202AndOne409() throws Exception {
    Tenants.Tenant t = Tenants.tenant(stack, "racer", Tenants.unlimited());
    JsonNode x = running(t, "raced", one);
    String id = x.path("id").asText();
    Supplier<Stack.Response> stop = () -> Ops.post(stack, t.key(), id, "stop", null);
    Supplier<Stack.Response> start = () -> Ops.post(stack, t.key(), id, "start", null);
    ExecutorService pool = Executors.newFixedThreadPool(2);
    int first = -1;
    try {
      for (int round = 0; round < 2; round++) {
        // Running: stop and start at once; only the stop applies
        Stack.Response won = race(pool, stop, start);
        assertThat(won.body().path("state").asText()).isEqualTo("Stopping");
        if (first < 0) {
          String wfId = won.body().path("workflowId").asText();
          first = Integer.parseInt(wfId.substring(wfId.lastIndexOf('-') + 1));
        }
        assertThat(stack.awaitWorkflow(won.body().path("workflowId").asText(), Ops.WORKFLOW_TIMEOUT)
            .path("status").asText()).isEqualTo("COMPLETED");
        assertThat(Ops.state(stack, id)).isEqualTo("Stopped");
        // Stopped: start and stop at once; only the start applies
        won = race(pool, start, stop);
        assertThat(won.body().path("state").asText()).isEqualTo("Starting");
        assertThat(stack.awaitWorkflow(won.body().path("workflowId").asText(), Ops.WORKFLOW_TIMEOUT)
            .path("status").asText()).isEqualTo("COMPLETED");
        assertThat(Ops.state(stack, id)).isEqualTo("Running");
        // Running: two stops at once, both valid; one wins, the other finds it Stopping
        won = race(pool, stop, stop);
        stack.awaitWorkflow(won.body().path("workflowId").asText(), Ops.WORKFLOW_TIMEOUT);
        assertThat(Ops.state(stack, id)).isEqualTo("Stopped");
        // Stopped: two starts at once
        won = race(pool, start, start);
        stack.awaitWorkflow(won.body().path("workflowId").asText(), Ops.WORKFLOW_TIMEOUT);
        assertThat(Ops.state(stack, id)).isEqualTo("Running");
      }
      Ops.ok(stack, t.key(), id, "stop", null);
      // Stopped: start and destroy at once, both valid from Stopped
      Stack.Response won = race(pool, start, () -> Ops.destroy(stack, t.key(), id));
      JsonNode wf = stack.awaitWorkflow(won.body().path("workflowId").asText(), Ops.WORKFLOW_TIMEOUT);
      assertThat(wf.path("status").asText()).as(wf.toString()).isEqualTo("COMPLETED");
      assertThat(Ops.state(stack, id)).isIn("Running", "Destroyed");
    } finally {
      pool.shutdownNow();
    }
    // every accepted request ran: one operation counter step per 202 (stop, start, stop, start twice; a
    // stop; the winner of the last race), no more
    JsonNode now = Ops.instance(stack, id);
    String lastWorkflow = now.path("workflowId").asText();
    if (now.path("state").asText().equals("Running")) {
      assertThat(lastWorkflow).isEqualTo("start-" + id + "-" + (first + 9));
    } else {
      assertThat(lastWorkflow).isEqualTo("destroy-" + id);
    }
    long scheduled = Ops.events(stack, stack.adminKey, "instanceId=" + id).stream()
        .filter(e -> e.path("state").asText().equals("Scheduled") && !e.path("type").asText().equals("VM.CREATE"))
        .count();
    assertThat(scheduled).as("one Scheduled event per 202").isEqualTo(10);
    Ops.assertDevicesConsistent(stack, hostId, CARD);
  }

  @Test
  void destroyFromRunningStoppedAndErrorReturnsEveryDeviceAndQuotaUnit() throws Exception {
    String domain = Tenants.domain(stack, Tenants.ROOT_DOMAIN, "destroy-" + tag());
    Tenants.Tenant t = Tenants.tenantIn(stack, domain, "destroyer", "User", Tenants.unlimited());
    JsonNode before = Ops.accountLimits(stack, t.accountId());
    JsonNode domainBefore = stack.get("/domains/" + domain + "/limits");
    assertThat(before.path("gpuTotal").asInt()).isZero();
    JsonNode r = running(t, "stays-running", one);
    JsonNode s = running(t, "gets-stopped", one);
    JsonNode e = running(t, "gets-error", one);
    String rId = r.path("id").asText();
    String sId = s.path("id").asText();
    String eId = e.path("id").asText();
    Set<String> held = new java.util.HashSet<>();
    for (JsonNode i : List.of(r, s, e)) {
      held.addAll(Ops.devicesOf(i).keySet());
    }
    assertThat(held).hasSize(3);
    assertThat(Ops.gpuTotal(stack, t.accountId())).isEqualTo(3);
    assertThat(stack.get("/domains/" + domain + "/limits").path("gpuTotal").asInt()).isEqualTo(3);

    Ops.ok(stack, t.key(), sId, "stop", null);
    assertThat(Ops.state(stack, sId)).isEqualTo("Stopped");
    // a stop whose onStop hook fails leaves the instance in Error, its domain undefined
    Path hook = Ops.stateHook(stack, HOST);
    Ops.writeHook(hook, Ops.failingHook("onStop", e.path("vmName").asText(), "onStop says boom"));
    try {
      JsonNode wf = Ops.run(stack, t.key(), eId, "stop", null);
      assertThat(wf.path("status").asText()).as(wf.toString()).isEqualTo("FAILED");
    } finally {
      Files.deleteIfExists(hook);
    }
    JsonNode failed = Ops.instance(stack, eId);
    assertThat(failed.path("state").asText()).as(failed.toString()).isEqualTo("Error");
    assertThat(failed.path("errorReason").asText()).contains("boom");
    assertThat(Ops.gpuTotal(stack, t.accountId())).as("nothing released yet").isGreaterThanOrEqualTo(2);

    for (String id : List.of(rId, sId, eId)) {
      assertThat(Ops.hostDir(stack, HOST).resolve("pool/root-" + id + ".qcow2")).as("root disk of " + id).exists();
    }
    // all three at once
    List<Stack.Response> replies = List.of(Ops.destroy(stack, t.key(), rId), Ops.destroy(stack, t.key(), sId),
        Ops.destroy(stack, t.key(), eId));
    for (Stack.Response reply : replies) {
      assertThat(reply.status()).as(reply.raw()).isEqualTo(202);
      assertThat(reply.body().path("state").asText()).isEqualTo("Destroying");
      Ops.assertWorkflowId("destroy", reply.body().path("id").asText(), reply);
    }
    for (Stack.Response reply : replies) {
      JsonNode wf = stack.awaitWorkflow(reply.body().path("workflowId").asText(), Ops.WORKFLOW_TIMEOUT);
      assertThat(wf.path("status").asText()).as(wf.toString()).isEqualTo("COMPLETED");
    }
    for (String id : List.of(rId, sId, eId)) {
      JsonNode i = Ops.instance(stack, id);
      assertThat(i.path("state").asText()).isEqualTo("Destroyed");
      assertThat(Stack.list(i.path("devices"))).isEmpty();
      assertThat(Ops.domainDefined(stack, HOST, id)).as("domain of " + id + " left on LC1").isFalse();
      assertThat(Files.exists(Ops.hostDir(stack, HOST).resolve("pool/root-" + id + ".qcow2")))
          .as("root disk of " + id + " left in LC1's pool").isFalse();
    }
    for (String d : held) {
      JsonNode dev = Ops.device(stack, d);
      assertThat(dev.path("state").asText()).as(dev.toString()).isEqualTo("Free");
      assertThat(dev.path("instanceId").isTextual()).as(dev.toString()).isFalse();
    }
    JsonNode after = Ops.accountLimits(stack, t.accountId());
    assertThat(after.path("gpuTotal").asInt()).as(after.toString()).isEqualTo(before.path("gpuTotal").asInt());
    assertThat(after.path("instanceTotal").asInt()).as(after.toString())
        .isEqualTo(before.path("instanceTotal").asInt());
    assertThat(after.path("cpuTotal").asInt()).as(after.toString()).isEqualTo(before.path("cpuTotal").asInt());
    assertThat(after.path("memoryTotal").asLong()).as(after.toString())
        .isEqualTo(before.path("memoryTotal").asLong());
    JsonNode domainAfter = stack.get("/domains/" + domain + "/limits");
    for (String total : List.of("gpuTotal", "instanceTotal", "cpuTotal", "memoryTotal")) {
      assertThat(domainAfter.path(total).asLong()).as("domain " + total + ": " + domainAfter)
          .isEqualTo(domainBefore.path(total).asLong());
    }
    assertThat(Ops.ids(stack.call("GET", "/instances", null, t.key()).body())).isEmpty();
    assertThat(Ops.ids(stack.call("GET", "/instances?state=Destroyed", null, t.key()).body()))
        .containsExactlyInAnyOrder(rId, sId, eId);
    Ops.assertDevicesConsistent(stack, hostId, CARD);
  }
  @Test
  void scaleOfAStoppedInstanceChangesItsOfferingWithinLimitsAndKeepsOnlyDevicesThatStillFit() {
    Map<String, Object> limits = new java.util.HashMap<>(Tenants.unlimited());
    limits.put("gpuLimit", 2);
    Tenants.Tenant t = Tenants.tenant(stack, "scaler", limits);
    String two = Tenants.offering(stack, CARD, "passthrough", 2, 2, 500, 1024);
    String twoBigger = Tenants.offering(stack, CARD, "passthrough", 2, 4, 500, 2048);
    String three = Tenants.offering(stack, CARD, "passthrough", 3, 2, 500, 1024);
    JsonNode x = running(t, "scaled", one);
    String id = x.path("id").asText();
    Ops.ok(stack, t.key(), id, "stop", null);

    // up to 2 GPUs: within the limit of 2; the next start reserves what the offering needs
    JsonNode up = Ops.ok(stack, t.key(), id, "scale", Map.of("offeringId", two));
    assertThat(up.path("state").asText()).isEqualTo("Stopped");
    assertThat(up.path("offeringId").asText()).isEqualTo(two);
    assertThat(up.path("gpuCount").asInt()).isEqualTo(2);
    assertThat(up.path("cpuCores").asInt()).isEqualTo(2);
    assertThat(up.path("memoryMb").asLong()).isEqualTo(1024);
    JsonNode started = Ops.ok(stack, t.key(), id, "start", null);
    assertThat(Stack.list(started.path("devices"))).hasSize(2);
    Ops.assertDomainHoldsItsDevices(stack, started);
    assertThat(Ops.gpuTotal(stack, t.accountId())).isEqualTo(2);
    Map<String, String> twoHeld = Ops.devicesOf(started);
    Ops.ok(stack, t.key(), id, "stop", null);

    // to 3 GPUs: over the limit; refused, nothing changes
    JsonNode wf = Ops.run(stack, t.key(), id, "scale", Map.of("offeringId", three));
    assertThat(wf.path("status").asText()).as(wf.toString()).isEqualTo("FAILED");
    assertThat(wf.path("failure").asText().toLowerCase(java.util.Locale.ROOT)).as(wf.toString()).contains("limit");
    JsonNode kept = Ops.instance(stack, id);
    assertThat(kept.path("state").asText()).as(kept.toString()).isEqualTo("Stopped");
    assertThat(kept.path("offeringId").asText()).isEqualTo(two);
    assertThat(kept.path("gpuCount").asInt()).isEqualTo(2);
    assertThat(Ops.devicesOf(kept)).isEqualTo(twoHeld);
    assertThat(Ops.gpuTotal(stack, t.accountId())).isEqualTo(2);

    // more CPU and memory, the same GPUs: the devices still fit and are kept; the domain gets the new size
    JsonNode bigger = Ops.ok(stack, t.key(), id, "scale", Map.of("offeringId", twoBigger));
    assertThat(bigger.path("cpuCores").asInt()).isEqualTo(4);
    assertThat(Ops.devicesOf(bigger)).isEqualTo(twoHeld);
    JsonNode big = Ops.ok(stack, t.key(), id, "start", null);
    assertThat(Ops.devicesOf(big)).isEqualTo(twoHeld);
    String xml = Ops.domainXml(stack, id);
    assertThat(xml).containsPattern("<vcpu[^>]*>4</vcpu>").containsPattern("<memory unit='(KiB'>2097152|MiB'>2048)</memory>");
    Ops.ok(stack, t.key(), id, "stop", null);

    // down to 1 GPU: what it keeps is at most what the offering needs, and counts as such
    JsonNode down = Ops.ok(stack, t.key(), id, "scale", Map.of("offeringId", one));
    assertThat(down.path("gpuCount").asInt()).isEqualTo(1);
    assertThat(Ops.devicesOf(down).keySet()).as(down.toString()).hasSizeLessThanOrEqualTo(1)
        .isSubsetOf(twoHeld.keySet());
    assertThat(Ops.gpuTotal(stack, t.accountId())).isEqualTo(Ops.devicesOf(down).size());
    JsonNode small = Ops.ok(stack, t.key(), id, "start", null);
    assertThat(Stack.list(small.path("devices"))).hasSize(1);
    Ops.assertDomainHoldsItsDevices(stack, small);
    assertThat(Ops.gpuTotal(stack, t.accountId())).isEqualTo(1);
    Ops.assertDevicesConsistent(stack, hostId, CARD);
  }

  @Test
  void aRepeatedIdempotencyKeyAnswersTheSameOperationAndStartsItOnce() {
    Tenants.Tenant t = Tenants.tenant(stack, "idem-op", Tenants.unlimited());
    JsonNode x = running(t, "idem-op", one);
    String id = x.path("id").asText();
    String key = UUID.randomUUID().toString();
    Stack.Response first = stack.callWithHeader("POST", "/instances/" + id + "/stop", null, t.key(),
        "Idempotency-Key", key);
    assertThat(first.status()).as(first.raw()).isEqualTo(202);
    String workflowId = first.body().path("workflowId").asText();
    Stack.Response second = stack.callWithHeader("POST", "/instances/" + id + "/stop", null, t.key(),
        "Idempotency-Key", key);
    assertThat(second.status()).as(second.raw()).isEqualTo(202);
    assertThat(second.body().path("workflowId").asText()).isEqualTo(workflowId);
    assertThat(stack.awaitWorkflow(workflowId, Ops.WORKFLOW_TIMEOUT).path("status").asText()).isEqualTo("COMPLETED");
    // after it finished, the same key still answers the first reply and starts nothing
    Stack.Response third = stack.callWithHeader("POST", "/instances/" + id + "/stop", null, t.key(),
        "Idempotency-Key", key);
    assertThat(third.status()).as(third.raw()).isEqualTo(202);
    assertThat(third.body().path("workflowId").asText()).isEqualTo(workflowId);
    assertThat(Ops.state(stack, id)).isEqualTo("Stopped");
    assertThat(Ops.instance(stack, id).path("workflowId").asText()).isEqualTo(workflowId);
    assertThat(Ops.events(stack, t.key(), "instanceId=" + id + "&type=VM.STOP").stream()
        .filter(e -> e.path("state").asText().equals("Scheduled"))).as("one stop requested").hasSize(1);
    // a new key is a new request: refused, it is Stopped
    assertConflict(stack.callWithHeader("POST", "/instances/" + id + "/stop", null, t.key(), "Idempotency-Key",
        UUID.randomUUID().toString()), "Stopped");
  }

  @Test
  void rebootRunsOnStopThenOnStartOnTheHostAndKeepsTheDevices() throws Exception {
    Tenants.Tenant t = Tenants.tenant(stack, "rebooter", Tenants.unlimited());
    JsonNode x = running(t, "rebooted", one);
    String id = x.path("id").asText();
    String vm = x.path("vmName").asText();
    Path calls = Files.createTempFile(stack.dataDir, "reboot-hook-", ".log");
    Path hook = Ops.stateHook(stack, HOST);
    Ops.writeHook(hook, "#!/bin/sh\nif [ \"$2\" = '" + vm + "' ]; then echo \"$1\" >> '" + calls + "'; fi\nexit 0\n");
    try {
      JsonNode after = Ops.ok(stack, t.key(), id, "reboot", null);
      assertThat(after.path("state").asText()).isEqualTo("Running");
      assertThat(Ops.devicesOf(after)).isEqualTo(Ops.devicesOf(x));
      Ops.assertDomainHoldsItsDevices(stack, after);
    } finally {
      Files.deleteIfExists(hook);
    }
    assertThat(Files.readAllLines(calls)).as("state hook calls for " + vm).containsExactly("onStop", "onStart");
  }
  @Test
  void operationWorkflowsCarryTheDeploysSearchAttributesAndAOneLineSummary() {
    Tenants.Tenant t = Tenants.tenant(stack, "attrs-op", Tenants.unlimited());
    String account = stack.get("/accounts/" + t.accountId()).path("name").asText();
    JsonNode x = running(t, "summarized", one);
    String id = x.path("id").asText();
    Map<String, String> types = new java.util.LinkedHashMap<>();
    for (String[] op : new String[][] {{"stop", "Stop"}, {"start", "Start"}, {"reboot", "Reboot"}}) {
      Stack.Response r = Ops.post(stack, t.key(), id, op[0], null);
      assertThat(r.status()).as(r.raw()).isEqualTo(202);
      String wf = r.body().path("workflowId").asText();
      assertThat(stack.awaitWorkflow(wf, Ops.WORKFLOW_TIMEOUT).path("status").asText()).isEqualTo("COMPLETED");
      types.put(wf, op[1]);
    }
    for (Map.Entry<String, String> w : types.entrySet()) {
      io.temporal.client.WorkflowExecutionDescription d = stack.temporal().newUntypedWorkflowStub(w.getKey()).describe();
      assertThat(d.getWorkflowType()).isEqualTo(w.getValue());
      io.temporal.common.SearchAttributes attrs = d.getTypedSearchAttributes();
      assertThat(attrs.get(io.temporal.common.SearchAttributeKey.forKeyword("InstanceUuid"))).isEqualTo(id);
      assertThat(attrs.get(io.temporal.common.SearchAttributeKey.forKeyword("Account"))).isEqualTo(account);
      assertThat(attrs.get(io.temporal.common.SearchAttributeKey.forKeyword("HostName"))).isEqualTo(HOST);
      assertThat(d.getStaticSummary()).as(w.getKey()).isNotBlank().doesNotContain("\n").contains("summarized");
    }
    // and indexed: the Temporal UI finds the instance's whole history by its uuid
    String query = "InstanceUuid = '" + id + "'";
    Set<String> expected = new java.util.HashSet<>(types.keySet());
    expected.add("deploy-" + id);
    Stack.await("visibility to list " + expected, java.time.Duration.ofSeconds(30), () -> stack.temporal()
        .listExecutions(query).map(m -> m.getExecution().getWorkflowId()).collect(java.util.stream.Collectors.toSet())
        .containsAll(expected));
  }
}
