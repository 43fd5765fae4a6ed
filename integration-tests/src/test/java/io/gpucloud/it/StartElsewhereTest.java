package io.gpucloud.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Start after gpu.detach.on.stop gave the devices back (issue 11): placement runs again, the previous host is
 * preferred, the instance may land on another host, and with no room anywhere it stays Stopped. On the 'ACS Move
 * Card' GPUs, one on each of the test-only hosts MT1 and MT2 and nowhere else.
 */
class StartElsewhereTest {
  static final String CARD = "ACS Move Card";

  static Stack stack;
  static String template;
  static String offering;
  static String detachDomain;
  final List<String> created = new ArrayList<>();

  @BeforeAll
  static void up() {
    stack = Stack.get();
    stack.awaitHosts("MT1", "MT2");
    template = Tenants.template(stack);
    offering = Tenants.offering(stack, CARD, "passthrough", 1, 1, 500, 512);
    detachDomain = Tenants.domain(stack, Tenants.ROOT_DOMAIN, "elsewhere-" + UUID.randomUUID().toString().substring(0, 6));
    Ops.setDetachOnStop(stack, detachDomain, true);
  }

  @AfterEach
  void cleanUp() {
    Ops.destroyAll(stack, created);
  }

  JsonNode running(Tenants.Tenant owner, String name) {
    JsonNode i = Ops.running(stack, owner, name, offering, template);
    created.add(i.path("id").asText());
    assertThat(i.path("hostName").asText()).isIn("MT1", "MT2");
    return i;
  }

  static String other(String host) {
    return host.equals("MT1") ? "MT2" : "MT1";
  }

  /** x (detaching) on one host, z on the other; x stopped (its GPU Free); y takes x's old GPU. */
  record Scene(Tenants.Tenant owner, Tenants.Tenant rival, String x, String xHost, String z, String y) {}

  Scene scene() {
    Tenants.Tenant owner = Tenants.tenantIn(stack, detachDomain, "mover", "User", Tenants.unlimited());
    Tenants.Tenant rival = Tenants.tenant(stack, "taker", Tenants.unlimited());
    JsonNode x = running(owner, "x");
    String xId = x.path("id").asText();
    String xHost = x.path("hostName").asText();
    String xDevice = Ops.devicesOf(x).keySet().iterator().next();
    JsonNode z = running(rival, "z");
    assertThat(z.path("hostName").asText()).as("the only GPU left is on the other host").isEqualTo(other(xHost));

    JsonNode stopped = Ops.ok(stack, owner.key(), xId, "stop", null);
    assertThat(stopped.path("state").asText()).isEqualTo("Stopped");
    assertThat(Stack.list(stopped.path("devices"))).isEmpty();
    assertThat(Ops.device(stack, xDevice).path("state").asText()).isEqualTo("Free");
    assertThat(Ops.gpuTotal(stack, owner.accountId())).isZero();

    JsonNode y = running(rival, "y");
    assertThat(y.path("hostName").asText()).as("y takes x's old GPU").isEqualTo(xHost);
    assertThat(Ops.devicesOf(y)).containsKey(xDevice);
    return new Scene(owner, rival, xId, xHost, z.path("id").asText(), y.path("id").asText());
  }

  @Test
  void startWithNoRoomAnywhereLeavesItStopped() {
    Scene s = scene();
    JsonNode wf = Ops.run(stack, s.owner().key(), s.x(), "start", null);
    JsonNode x = Ops.instance(stack, s.x());
    assertThat(wf.path("status").asText()).as(wf.toString()).isEqualTo("FAILED");
    assertThat(wf.path("failure").asText()).as(wf.toString()).contains("insufficient capacity");
    assertThat(x.path("state").asText()).as(x.toString()).isEqualTo("Stopped");
    assertThat(Stack.list(x.path("devices"))).isEmpty();
    assertThat(Ops.gpuTotal(stack, s.owner().accountId())).as("nothing counted for a start that found no room")
        .isZero();
    assertThat(Ops.domainDefined(stack, "MT1", s.x()) || Ops.domainDefined(stack, "MT2", s.x())).isFalse();
    // an event says so
    List<JsonNode> failed = Ops.events(stack, s.owner().key(), "instanceId=" + s.x() + "&type=VM.START").stream()
        .filter(e -> e.path("state").asText().equals("Failed")).toList();
    assertThat(failed).as("a VM.START Failed event").hasSize(1);
    assertThat(failed.get(0).path("description").asText()).contains("insufficient capacity");
    for (String host : List.of("MT1", "MT2")) {
      Ops.assertDevicesConsistent(stack, stack.hostId(host), CARD);
    }
  }

  @Test
  void startLandsOnAnotherHostWhenItsOldDevicesWereTakenMeanwhile() {
    Scene s = scene();
    Ops.ok(stack, stack.adminKey, s.z(), "destroy", null);
    String target = other(s.xHost());
    JsonNode x = Ops.ok(stack, s.owner().key(), s.x(), "start", null);
    assertThat(x.path("state").asText()).isEqualTo("Running");
    assertThat(x.path("hostName").asText()).as("x's old host is full: it starts on the other").isEqualTo(target);
    assertThat(Stack.list(x.path("devices"))).hasSize(1);
    for (String d : Ops.devicesOf(x).keySet()) {
      assertThat(Ops.device(stack, d).path("hostName").asText()).isEqualTo(target);
    }
    Ops.assertDomainHoldsItsDevices(stack, x);
    assertThat(Ops.domainDefined(stack, target, s.x())).isTrue();
    assertThat(Ops.domainDefined(stack, s.xHost(), s.x())).isFalse();
    assertThat(Ops.gpuTotal(stack, s.owner().accountId())).isEqualTo(1);
    for (String host : List.of("MT1", "MT2")) {
      Ops.assertDevicesConsistent(stack, stack.hostId(host), CARD);
    }
  }

  @Test
  void startPrefersThePreviousHostWhenItHasRoom() {
    Tenants.Tenant owner = Tenants.tenantIn(stack, detachDomain, "stayer", "User", Tenants.unlimited());
    JsonNode x = running(owner, "stayer");
    String id = x.path("id").asText();
    String host = x.path("hostName").asText();
    // both hosts have a free GPU at every start: the previous host is chosen each time, not by chance
    for (int round = 0; round < 3; round++) {
      JsonNode stopped = Ops.ok(stack, owner.key(), id, "stop", null);
      assertThat(Stack.list(stopped.path("devices"))).isEmpty();
      assertThat(Ops.freeDevices(stack, stack.hostId("MT1"), CARD)).isEqualTo(1);
      assertThat(Ops.freeDevices(stack, stack.hostId("MT2"), CARD)).isEqualTo(1);
      JsonNode started = Ops.ok(stack, owner.key(), id, "start", null);
      assertThat(started.path("hostName").asText()).as("round " + round).isEqualTo(host);
      Ops.assertDomainHoldsItsDevices(stack, started);
    }
  }
}
