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
    assertThat(Ops.typeStates(events)).containsExactlyInAnyOrder("VM.MIGRATE/Scheduled", "VM.MIGRATE/Started",
        "VM.MIGRATE/Completed");
    assertThat(events).hasSize(6);
  }
  /**
   * The issue: with host-local pools, either copy the volume between the agents or refuse with 409 "the
   * instance's disk is on host-local storage". LC1's root disks are in its host-local pool, MT1's in the pool
   * it shares with MT2 only; both have an 'ACS Local Card' GPU.
   */
  @Test
  void aMigrationOffHostLocalStorageIsRefusedOrCopiesTheDisk() {
    String mt1 = stack.hostId("MT1");
    stack.awaitHosts("LC1", "MT1");
    Tenants.Tenant t = Tenants.tenant(stack, "local-disk", Tenants.unlimited());
    String local = Tenants.offering(stack, "ACS Local Card", "passthrough", 1, 1, 500, 512);
    // on LC1: MT1 Disabled while it deploys
    assertThat(stack.admin("POST", "/hosts/" + mt1 + "/disable", null).status()).isEqualTo(200);
    JsonNode x;
    try {
      x = Ops.running(stack, t, "local-disk", local, template);
    } finally {
      assertThat(stack.admin("POST", "/hosts/" + mt1 + "/enable", null).status()).isEqualTo(200);
    }
    String id = x.path("id").asText();
    created.add(id);
    assertThat(x.path("hostName").asText()).isEqualTo("LC1");
    java.nio.file.Path sourceDisk = Ops.hostDir(stack, "LC1").resolve("pool/root-" + id + ".qcow2");
    java.nio.file.Path targetDisk = stack.dataDir.resolve("hosts/shared-pools/mt-shared/root-" + id + ".qcow2");
    assertThat(sourceDisk).as("its root disk, in LC1's host-local pool").exists();
    Ops.ok(stack, t.key(), id, "stop", null);

    Stack.Response r = Ops.post(stack, t.key(), id, "migrate", Map.of("hostId", mt1));
    if (r.status() == 409) {
      assertThat(r.body().path("message").asText()).as(r.raw()).contains("host-local storage");
      JsonNode still = Ops.instance(stack, id);
      assertThat(still.path("state").asText()).isEqualTo("Stopped");
      assertThat(still.path("hostName").asText()).isEqualTo("LC1");
      assertThat(sourceDisk).exists();
      return;
    }
    // accepted: then the disk must travel with the instance, or its next start on MT1 boots an empty new disk
    assertThat(r.status()).as(r.raw()).isEqualTo(202);
    JsonNode wf = stack.awaitWorkflow(r.body().path("workflowId").asText(), Ops.WORKFLOW_TIMEOUT);
    assertThat(wf.path("status").asText()).as(wf.toString()).isEqualTo("COMPLETED");
    assertThat(Ops.instance(stack, id).path("hostName").asText()).isEqualTo("MT1");
    org.assertj.core.api.SoftAssertions softly = new org.assertj.core.api.SoftAssertions();
    softly.assertThat(targetDisk).as("migration accepted off LC1's host-local pool, but the root disk was not"
        + " copied to MT1's pool: the next start creates an empty disk there").exists();
    softly.assertThat(sourceDisk).as("the source's copy is removed by the migration").doesNotExist();
    // it runs on MT1, and destroying it must leave no disk anywhere
    JsonNode started = Ops.ok(stack, t.key(), id, "start", null);
    assertThat(started.path("hostName").asText()).isEqualTo("MT1");
    Ops.ok(stack, t.key(), id, "destroy", null);
    softly.assertThat(sourceDisk).as("root disk left behind on LC1 after the instance was destroyed").doesNotExist();
    softly.assertThat(targetDisk).as("root disk left on MT1 after destroy").doesNotExist();
    softly.assertAll();
  }
}
