package io.gpucloud.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Host maintenance (issue 11) on the test-only hosts MT1 and MT2, which share a storage pool and each have one
 * 'ACS Maint Card' GPU carved into 2 x mt-4q (no other host has that card): the GPU instances of a host put in
 * maintenance are cold-migrated and started on the other host, or only stopped; cancel-maintenance; host removal
 * refusals.
 */
class MaintenanceTest {
  static final String CARD = "ACS Maint Card";

  static Stack stack;
  static String template;
  static String offering;
  static String mt1;
  static String mt2;
  final List<String> created = new ArrayList<>();

  @BeforeAll
  static void up() {
    stack = Stack.get();
    stack.awaitHosts("MT1", "MT2");
    mt1 = stack.hostId("MT1");
    mt2 = stack.hostId("MT2");
    template = Tenants.template(stack);
    offering = Tenants.offering(stack, CARD, "mt-4q", 1, 1, 500, 512);
  }

  @AfterEach
  void cleanUp() {
    Ops.destroyAll(stack, created);
    for (String h : List.of(mt1, mt2)) {
      String rs = Ops.host(stack, h).path("resourceState").asText();
      if (rs.equals("Maintenance") || rs.equals("PrepareForMaintenance")) {
        stack.admin("POST", "/hosts/" + h + "/cancel-maintenance", null);
      } else if (rs.equals("Disabled")) {
        stack.admin("POST", "/hosts/" + h + "/enable", null);
      }
    }
  }

  /** Deploys on MT1: MT2 is Disabled meanwhile. */
  List<JsonNode> runningOnMt1(Tenants.Tenant t, int n) {
    Stack.Response d = stack.admin("POST", "/hosts/" + mt2 + "/disable", null);
    assertThat(d.status()).as(d.raw()).isEqualTo(200);
    List<JsonNode> out = new ArrayList<>();
    try {
      for (int i = 0; i < n; i++) {
        JsonNode x = Ops.running(stack, t, "evacuee-" + i, offering, template);
        created.add(x.path("id").asText());
        assertThat(x.path("hostName").asText()).isEqualTo("MT1");
        out.add(x);
      }
    } finally {
      Stack.Response e = stack.admin("POST", "/hosts/" + mt2 + "/enable", null);
      assertThat(e.status()).as(e.raw()).isEqualTo(200);
    }
    return out;
  }

  /** MT1's events of the type (Admin). */
  static List<JsonNode> hostEvents(String type) {
    return Ops.events(stack, stack.adminKey, "type=" + type).stream()
        .filter(e -> mt1.equals(e.path("hostId").asText())).toList();
  }

  @Test
  void maintenanceMigratesBothGpuInstancesToTheOtherHostAndRunsThemThere() {
    Tenants.Tenant t = Tenants.tenant(stack, "evacuated", Tenants.unlimited());
    List<JsonNode> before = runningOnMt1(t, 2);

    Stack.Response r = stack.admin("POST", "/hosts/" + mt1 + "/maintenance", Map.of("gpuInstances", "migrate"));
    assertThat(r.status()).as(r.raw()).isEqualTo(202);
    String workflowId = r.body().path("workflowId").asText();
    assertThat(workflowId).matches("maintenance-MT1-[0-9]+");
    assertThat(r.body().path("resourceState").asText()).isEqualTo("PrepareForMaintenance");
    // a second request while it runs is refused
    Stack.Response again = stack.admin("POST", "/hosts/" + mt1 + "/maintenance", null);
    assertThat(again.status()).as(again.raw()).isEqualTo(409);

    JsonNode wf = stack.awaitWorkflow(workflowId, Ops.WORKFLOW_TIMEOUT);
    assertThat(wf.path("status").asText()).as(wf.toString()).isEqualTo("COMPLETED");
    assertThat(Ops.host(stack, mt1).path("resourceState").asText()).isEqualTo("Maintenance");
    for (JsonNode b : before) {
      String id = b.path("id").asText();
      JsonNode x = Ops.instance(stack, id);
      assertThat(x.path("state").asText()).as(x.toString() + "\n" + wf).isEqualTo("Running");
      assertThat(x.path("hostName").asText()).isEqualTo("MT2");
      for (String d : Ops.devicesOf(x).keySet()) {
        assertThat(Ops.device(stack, d).path("hostName").asText()).isEqualTo("MT2");
      }
      Ops.assertDomainHoldsItsDevices(stack, x);
      assertThat(Ops.domainDefined(stack, "MT1", id)).as("left on MT1").isFalse();
      for (String d : Ops.devicesOf(b).keySet()) {
        assertThat(Ops.device(stack, d).path("state").asText()).as("MT1 device of " + id).isEqualTo("Free");
      }
      // the per-instance steps, as the instance's events
      assertThat(Ops.typeStates(Ops.events(stack, t.key(), "instanceId=" + id)))
          .contains("VM.STOP/Completed", "VM.MIGRATE/Completed", "VM.START/Completed");
    }
    assertThat(Ops.devices(stack, mt1, CARD)).allSatisfy(d ->
        assertThat(d.path("instanceId").isTextual()).as(d.toString()).isFalse());
    assertThat(hostEvents("HOST.MAINTENANCE.PREPARE")).as("PREPARE of " + workflowId)
        .anySatisfy(e -> assertThat(e.path("workflowId").asText()).isEqualTo(workflowId));
    assertThat(hostEvents("HOST.MAINTENANCE.DONE")).as("DONE of " + workflowId)
        .anySatisfy(e -> assertThat(e.path("workflowId").asText()).isEqualTo(workflowId));
    int cancelled = hostEvents("HOST.MAINTENANCE.CANCEL").size();

    // no placement takes a host in Maintenance: MT2 is full, so a new mt-4q deploy finds no room
    JsonNode refused = Tenants.deployAndWait(stack, t.key(), "no-room", offering, template);
    created.add(refused.path("id").asText());
    assertThat(refused.path("state").asText()).as(refused.toString()).isEqualTo("Error");
    assertThat(refused.path("errorReason").asText()).contains("insufficient capacity");

    Stack.Response cancel = stack.admin("POST", "/hosts/" + mt1 + "/cancel-maintenance", null);
    assertThat(cancel.status()).as(cancel.raw()).isEqualTo(200);
    assertThat(Ops.host(stack, mt1).path("resourceState").asText()).isEqualTo("Enabled");
    assertThat(hostEvents("HOST.MAINTENANCE.CANCEL")).as("a CANCEL event").hasSize(cancelled + 1);
  }

  @Test
  void maintenanceWithStopOnlyStopsAndTheHostCannotBeRemovedWhileItHoldsThem() {
    Tenants.Tenant t = Tenants.tenant(stack, "stopped-for", Tenants.unlimited());
    JsonNode x = runningOnMt1(t, 1).get(0);
    String id = x.path("id").asText();

    Stack.Response bad = stack.admin("POST", "/hosts/" + mt1 + "/maintenance", Map.of("gpuInstances", "pause"));
    assertThat(bad.status()).as(bad.raw()).isEqualTo(400);
    assertThat(bad.body().path("message").asText()).contains("gpuInstances");
    Stack.Response enabled = stack.admin("DELETE", "/hosts/" + mt1, null);
    assertThat(enabled.status()).as("an Enabled, Up host is not removed: " + enabled.raw()).isEqualTo(409);

    Stack.Response r = stack.admin("POST", "/hosts/" + mt1 + "/maintenance", Map.of("gpuInstances", "stop"));
    assertThat(r.status()).as(r.raw()).isEqualTo(202);
    JsonNode wf = stack.awaitWorkflow(r.body().path("workflowId").asText(), Ops.WORKFLOW_TIMEOUT);
    assertThat(wf.path("status").asText()).as(wf.toString()).isEqualTo("COMPLETED");
    assertThat(Ops.host(stack, mt1).path("resourceState").asText()).isEqualTo("Maintenance");
    JsonNode stopped = Ops.instance(stack, id);
    assertThat(stopped.path("state").asText()).isEqualTo("Stopped");
    assertThat(stopped.path("hostName").asText()).as("stop mode moves nothing").isEqualTo("MT1");
    assertThat(Ops.domainDefined(stack, "MT1", id)).isFalse();

    Stack.Response holds = stack.admin("DELETE", "/hosts/" + mt1, null);
    assertThat(holds.status()).as("a host holding an instance is not removed: " + holds.raw()).isEqualTo(409);
    assertThat(Ops.host(stack, mt1).path("name").asText()).isEqualTo("MT1");

    Stack.Response cancel = stack.admin("POST", "/hosts/" + mt1 + "/cancel-maintenance", null);
    assertThat(cancel.status()).as(cancel.raw()).isEqualTo(200);
    assertThat(Ops.host(stack, mt1).path("resourceState").asText()).isEqualTo("Enabled");
    assertThat(Ops.state(stack, id)).as("instances that were only stopped stay Stopped").isEqualTo("Stopped");
    Ops.assertDevicesConsistent(stack, mt1, CARD);
  }
  @Test
  void maintenanceStopsWhatNoOtherHostHasRoomFor() {
    Tenants.Tenant t = Tenants.tenant(stack, "stranded", Tenants.unlimited());
    JsonNode x = runningOnMt1(t, 1).get(0);
    String id = x.path("id").asText();
    // MT2's two mt-4q vGPUs taken (MT1 Disabled meanwhile)
    assertThat(stack.admin("POST", "/hosts/" + mt1 + "/disable", null).status()).isEqualTo(200);
    try {
      for (int i = 0; i < 2; i++) {
        JsonNode filler = Ops.running(stack, t, "filler-" + i, offering, template);
        created.add(filler.path("id").asText());
        assertThat(filler.path("hostName").asText()).isEqualTo("MT2");
      }
    } finally {
      assertThat(stack.admin("POST", "/hosts/" + mt1 + "/enable", null).status()).isEqualTo(200);
    }

    Stack.Response r = stack.admin("POST", "/hosts/" + mt1 + "/maintenance", Map.of());
    assertThat(r.status()).as(r.raw()).isEqualTo(202);
    JsonNode wf = stack.awaitWorkflow(r.body().path("workflowId").asText(), Ops.WORKFLOW_TIMEOUT);
    assertThat(wf.path("status").asText()).as(wf.toString()).isEqualTo("COMPLETED");
    assertThat(Ops.host(stack, mt1).path("resourceState").asText()).as("nothing runs on it any more")
        .isEqualTo("Maintenance");
    JsonNode stopped = Ops.instance(stack, id);
    assertThat(stopped.path("state").asText()).as(stopped + "\n" + wf).isEqualTo("Stopped");
    assertThat(stopped.path("hostName").asText()).isEqualTo("MT1");
    assertThat(Ops.devicesOf(stopped)).as("stopped in place, its devices held").isEqualTo(Ops.devicesOf(x));
    assertThat(Ops.domainDefined(stack, "MT1", id)).isFalse();
    for (String h : List.of(mt1, mt2)) {
      assertThat(Ops.devices(stack, h, CARD)).allSatisfy(d ->
          assertThat(d.path("state").asText()).as(d.toString()).isNotEqualTo("Reserved"));
    }
  }
}
