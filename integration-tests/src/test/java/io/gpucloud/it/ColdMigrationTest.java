package io.gpucloud.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Cold migration between H1 and H2 (issue 11), which share the storage pool shared-nfs: a Stopped sim-4q
 * instance moves to the other host (an explicit target, then the best other host), its domain on the target
 * holds the target's devices once started, and the source's libvirt no longer knows it. sim-4q vGPUs exist on
 * H1 and H2 only, and no other test uses them.
 */
class ColdMigrationTest {
  static final String CARD = "ACS Simulated Graphics Card Pro";

  static Stack stack;
  static String template;
  static String offering;
  final List<String> created = new ArrayList<>();

  @BeforeAll
  static void up() {
    stack = Stack.get();
    stack.awaitHosts("H1", "H2");
    template = Tenants.template(stack);
    offering = Tenants.offering(stack, CARD, "sim-4q", 1, 1, 500, 512);
  }

  @AfterEach
  void cleanUp() {
    Ops.destroyAll(stack, created);
  }

  static String other(String host) {
    return host.equals("H1") ? "H2" : "H1";
  }

  /** Migrates the Stopped instance (to the named host, or the best other one) and checks where it is after. */
  static JsonNode migrate(Tenants.Tenant t, String id, String from, String to, boolean explicit) {
    Map<String, String> source = Ops.devicesOf(Ops.instance(stack, id));
    JsonNode moved = Ops.ok(stack, t.key(), id, "migrate", explicit ? Map.of("hostId", stack.hostId(to)) : Map.of());
    assertThat(moved.path("state").asText()).as("cold migration leaves it Stopped").isEqualTo("Stopped");
    assertThat(moved.path("hostName").asText()).isEqualTo(to);
    Map<String, String> target = Ops.devicesOf(moved);
    assertThat(target).hasSize(1);
    for (String d : target.keySet()) {
      JsonNode dev = Ops.device(stack, d);
      assertThat(dev.path("hostName").asText()).as(dev.toString()).isEqualTo(to);
      assertThat(dev.path("profileName").asText()).isEqualTo("sim-4q");
      assertThat(dev.path("instanceId").asText()).isEqualTo(id);
      assertThat(dev.path("state").asText()).isEqualTo("Allocated");
    }
    for (String d : source.keySet()) {
      JsonNode dev = Ops.device(stack, d);
      assertThat(dev.path("state").asText()).as("source device given back: " + dev).isEqualTo("Free");
      assertThat(dev.path("instanceId").isTextual()).as(dev.toString()).isFalse();
    }
    assertThat(Ops.gpuTotal(stack, t.accountId())).as("counted once").isEqualTo(1);
    assertThat(Ops.domainDefined(stack, from, id)).as("the source's libvirt no longer knows the domain").isFalse();
    return moved;
  }

  /** Starts it and checks that the domain runs on {@code host} holding exactly that host's devices. */
  static JsonNode startOn(Tenants.Tenant t, String id, String host, String gone) {
    JsonNode started = Ops.ok(stack, t.key(), id, "start", null);
    assertThat(started.path("state").asText()).isEqualTo("Running");
    assertThat(started.path("hostName").asText()).isEqualTo(host);
    Ops.assertDomainHoldsItsDevices(stack, started);
    Set<String> hostAddresses = Ops.lower(Ops.devices(stack, stack.hostId(host), CARD).stream()
        .map(d -> d.path("busAddress").asText()).toList());
    assertThat(hostAddresses).containsAll(Ops.hostdevs(Ops.domainXml(stack, id)));
    assertThat(Ops.domainDefined(stack, host, id)).isTrue();
    assertThat(Ops.domainDefined(stack, gone, id)).as("defined on " + gone + " too").isFalse();
    return started;
  }

  @Test
  void aStoppedInstanceMovesToTheOtherHostAndBackAndRunsThereWithThatHostsDevices() {
    Tenants.Tenant t = Tenants.tenant(stack, "migrant", Tenants.unlimited());
    JsonNode x = Ops.running(stack, t, "migrant", offering, template);
    String id = x.path("id").asText();
    created.add(id);
    String first = x.path("hostName").asText();
    assertThat(first).isIn("H1", "H2");
    String second = other(first);

    Ops.ok(stack, t.key(), id, "stop", null);
    LifecycleTest.assertConflict(Ops.post(stack, t.key(), id, "migrate", Map.of("hostId", stack.hostId(first))),
        null); // the source itself

    // to the named host
    migrate(t, id, first, second, true);
    startOn(t, id, second, first);

    // and back, to the best other host (the only other one with sim-4q)
    Ops.ok(stack, t.key(), id, "stop", null);
    migrate(t, id, second, first, false);
    startOn(t, id, first, second);

    List<JsonNode> events = Ops.events(stack, t.key(), "instanceId=" + id + "&type=VM.MIGRATE");
    assertThat(Ops.typeStates(events)).containsExactlyInAnyOrder("VM.MIGRATE/Scheduled", "VM.MIGRATE/Completed");
    assertThat(events).hasSize(4);
  }
}
