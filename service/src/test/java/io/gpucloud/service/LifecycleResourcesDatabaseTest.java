package io.gpucloud.service;

import static io.gpucloud.service.ApiAssertions.assertError;
import static org.assertj.core.api.Assertions.assertThat;

import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import io.dropwizard.testing.junit5.ResourceExtension;
import io.gpucloud.service.auth.Caller;
import io.gpucloud.service.auth.Role;
import io.gpucloud.service.events.EventResource;
import io.gpucloud.service.events.EventService;
import io.gpucloud.service.instances.InstanceOperations;
import io.gpucloud.service.instances.InstanceResource;
import io.gpucloud.service.instances.InstanceService;
import io.gpucloud.service.inventory.HostResource;
import io.gpucloud.service.inventory.HostService;
import io.gpucloud.service.tenancy.TenancyResources;
import jakarta.ws.rs.client.Entity;
import jakarta.ws.rs.client.Invocation;
import jakarta.ws.rs.core.Response;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The lifecycle's routes over in-memory HTTP against the test database, workflow starts recorded:
 * the operations' 202/409/400 answers and JSON, domain settings inherited down the tree, the global
 * gpu.detach.on.stop, events scoped like instances (a DomainAdmin of /ROOT/x_Q…/ sees nothing of
 * /ROOT/xzQ…/), host maintenance and removal with their refusals.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
class LifecycleResourcesDatabaseTest {
  private static final Map<String, Caller> CALLERS = new ConcurrentHashMap<>();
  private static final RecordingStarts STARTS = new RecordingStarts();
  static final ResourceExtension RESOURCES;

  static {
    String url = System.getenv(TestDatabase.ENV); // checked, with its message, by setUp
    Jdbi jdbi = Jdbi.create(url != null && !url.isBlank() ? url : "jdbc:mariadb://127.0.0.1:1/none");
    ResourceExtension.Builder b = TestResources.builder(key -> Optional.ofNullable(CALLERS.get(key)));
    TenancyResources.create(jdbi).forEach(b::addResource);
    b.addResource(new InstanceResource(new InstanceService(jdbi, null), new InstanceOperations(jdbi, STARTS)));
    b.addResource(new EventResource(new EventService(jdbi)));
    b.addResource(new HostResource(new HostService(jdbi, null, (c, h) -> "discover-" + h, STARTS)));
    RESOURCES = b.build();
  }

  private static LifecycleFixture f;

  @BeforeAll
  static void setUp() {
    TestDatabase.jdbi();
    f = new LifecycleFixture();
    CALLERS.put("admin", f.admin);
  }

  private static Invocation.Builder as(String key, String path) {
    return TestResources.request(RESOURCES, key, path);
  }

  /** A key for the caller. */
  private static String key(Caller c) {
    String k = LifecycleFixture.uniq("key-");
    CALLERS.put(k, c);
    return k;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(Response r, int status) {
    assertThat(r.getStatus()).isEqualTo(status);
    return r.readEntity(Map.class);
  }

  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> list(Response r) {
    assertThat(r.getStatus()).isEqualTo(200);
    return r.readEntity(List.class);
  }

  @Test
  void operationsAnswer202WithTheInstanceAndItsWorkflow() {
    String host = f.host("Up", "Enabled", 0);
    String account = f.account(f.domain("http", null));
    String tenant = key(f.caller(Role.User, account));
    String id = f.instance(account, "Running", host, 1);

    // no body, no Content-Type: as curl -X POST sends it
    Map<String, Object> stopped = map(as(tenant, "/api/v1/instances/" + id + "/stop").post(null), 202);
    assertThat(stopped).containsEntry("id", id).containsEntry("state", "Stopping")
        .containsEntry("workflowId", "stop-" + id + "-1").doesNotContainKey("hostId");
    assertError(as(tenant, "/api/v1/instances/" + id + "/stop").post(null), 409,
        "instance vm1 is Stopping; stop needs Running");
    assertError(as(tenant, "/api/v1/instances/" + id + "/start").post(null), 409,
        "instance vm1 is Stopping; start needs Stopped");
    f.setState(id, "Stopped");
    assertError(as(tenant, "/api/v1/instances/" + id + "/migrate").post(Entity.json(Map.of("host", host))), 400,
        "host");
    assertError(as(tenant, "/api/v1/instances/" + id + "/scale").post(Entity.json(Map.of("offeringId", 5))), 400,
        "offeringId");
    Map<String, Object> started = map(as(tenant, "/api/v1/instances/" + id + "/start")
        .header("Idempotency-Key", "s-" + id).post(null), 202);
    assertThat(started).containsEntry("workflowId", "start-" + id + "-2");
    assertThat(map(as(tenant, "/api/v1/instances/" + id + "/start").header("Idempotency-Key", "s-" + id).post(null),
        202)).isEqualTo(started);
    f.setState(id, "Running");
    assertError(as(tenant, "/api/v1/instances/" + id + "/migrate").post(Entity.json(Map.of())), 409,
        "live migration of a GPU instance is not supported; stop it first");
    assertError(as(tenant, "/api/v1/instances/" + id + "/scale")
            .post(Entity.json(Map.of("offeringId", f.plainOfferingId))), 409,
        "dynamic scaling of a GPU instance is not supported; stop it first");
    assertError(as(tenant, "/api/v1/instances/" + id + "/stop").post(Entity.json(Map.of("force", "yes"))), 400,
        "force");
    assertThat(map(as(tenant, "/api/v1/instances/" + id + "/stop").post(Entity.json(Map.of("force", true))), 202))
        .containsEntry("workflowId", "stop-" + id + "-3");
    assertThat(STARTS.of(id).get(STARTS.of(id).size() - 1).request().force()).isTrue();
    f.setState(id, "Stopped");
    assertThat(map(as(tenant, "/api/v1/instances/" + id).delete(), 202)).containsEntry("state", "Destroying")
        .containsEntry("workflowId", "destroy-" + id);
    f.setState(id, "Destroyed");
    assertThat(list(as(tenant, "/api/v1/instances").get())).extracting(i -> i.get("id")).doesNotContain(id);
    assertThat(list(as(tenant, "/api/v1/instances?state=Destroyed").get())).extracting(i -> i.get("id"))
        .containsExactly(id);
    assertError(as(tenant, "/api/v1/instances/" + id).delete(), 409,
        "instance vm1 is Destroyed; destroy needs Running, Stopped or Error");
    String other = f.instance(f.account(f.domain("other", null)), "Running", host, 1);
    assertError(as(tenant, "/api/v1/instances/" + other + "/stop").post(null), 404, "does not exist");
  }

  @Test
  void domainSettingsAreInheritedDownTheTree() {
    String parent = f.domain("par_", null);
    String child = f.domain("chi", parent);
    String lookalike = f.domain("parz", null); // '_' in the parent's name matches only itself
    String path = "/api/v1/domains/";
    Map<String, Object> initial = map(as("admin", path + child + "/settings").get(), 200);
    assertThat(initial).containsEntry("domainId", child);
    assertThat(setting(initial)).isEqualTo(Map.of("value", false, "own", false));

    assertThat(setting(map(as("admin", path + parent + "/settings")
        .put(Entity.json(Map.of("gpu.detach.on.stop", true))), 200))).isEqualTo(Map.of("value", true, "own", true));
    assertThat(setting(map(as("admin", path + child + "/settings").get(), 200)))
        .isEqualTo(Map.of("value", true, "own", false));
    assertThat(setting(map(as("admin", path + lookalike + "/settings").get(), 200)))
        .isEqualTo(Map.of("value", false, "own", false));
    assertThat(setting(map(as("admin", path + child + "/settings")
        .put(Entity.json(Map.of("gpu.detach.on.stop", false))), 200))).isEqualTo(Map.of("value", false, "own", true));
    Map<String, Object> inherit = new HashMap<>();
    inherit.put("gpu.detach.on.stop", null);
    assertThat(setting(map(as("admin", path + child + "/settings").put(Entity.json(inherit)), 200)))
        .isEqualTo(Map.of("value", true, "own", false));

    assertError(as("admin", path + child + "/settings").put(Entity.json(Map.of("gpu.detach.on.stopp", true))), 400,
        "unknown setting 'gpu.detach.on.stopp'");
    assertError(as("admin", path + child + "/settings").put(Entity.json(Map.of("gpu.detach.on.stop", "yes"))), 400,
        "gpu.detach.on.stop: must be true or false");

    // a DomainAdmin of the parent sets its subtree, its own domain included; one of the child not the parent
    String parentAdmin = key(f.caller(Role.DomainAdmin, f.account(parent)));
    assertThat(map(as(parentAdmin, path + parent + "/settings").put(Entity.json(Map.of("gpu.detach.on.stop", false))),
        200)).isNotNull();
    assertThat(setting(map(as(parentAdmin, path + child + "/settings").get(), 200)))
        .isEqualTo(Map.of("value", false, "own", false));
    assertError(as(parentAdmin, path + lookalike + "/settings").get(), 404, "not found");
    String childAdmin = key(f.caller(Role.DomainAdmin, f.account(child)));
    assertError(as(childAdmin, path + parent + "/settings").get(), 404, "not found");
    String user = key(f.caller(Role.User, f.account(child)));
    assertThat(as(user, path + child + "/settings").get().getStatus()).isEqualTo(403);

    // the global value, with the limits as numbers
    Map<String, Object> global = map(as("admin", "/api/v1/settings").get(), 200);
    assertThat(global).containsEntry("gpu.detach.on.stop", false).containsEntry("max.account.gpus", 20);
    assertError(as("admin", "/api/v1/settings").put(Entity.json(Map.of("gpu.detach.on.stop", "true"))), 400,
        "gpu.detach.on.stop: must be true or false");
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> setting(Map<String, Object> view) {
    return ((Map<String, Map<String, Object>>) view.get("settings")).get("gpu.detach.on.stop");
  }

  @Test
  void eventsAreScopedLikeInstances() {
    String host = f.host("Up", "Enabled", 0);
    String mine = f.domain("ev_Q", null);
    String theirs = f.domain("evzQ", null);
    String myAccount = f.account(mine);
    String colleagueAccount = f.account(f.domain("sub", mine));
    String theirAccount = f.account(theirs);
    Caller me = f.caller(Role.User, myAccount);
    String myKey = key(me);
    String daKey = key(f.caller(Role.DomainAdmin, myAccount));
    String mineI = f.instance(myAccount, "Running", host, 1);
    String colleagueI = f.instance(colleagueAccount, "Running", host, 1);
    String theirI = f.instance(theirAccount, "Running", host, 1);
    for (String i : List.of(mineI, colleagueI, theirI)) {
      assertThat(as("admin", "/api/v1/instances/" + i + "/stop").post(null).getStatus()).isEqualTo(202);
    }
    assertThat(as(myKey, "/api/v1/instances/" + mineI + "/stop").post(null).getStatus()).isEqualTo(409);

    assertThat(list(as(myKey, "/api/v1/events").get())).extracting(e -> e.get("instanceId")).containsOnly(mineI);
    assertThat(list(as(daKey, "/api/v1/events").get())).extracting(e -> e.get("instanceId"))
        .contains(mineI, colleagueI).doesNotContain(theirI);
    assertThat(list(as(daKey, "/api/v1/events?accountId=" + theirAccount).get())).isEmpty();
    List<Map<String, Object>> mineOnly = list(as(daKey, "/api/v1/events?instanceId=" + mineI + "&type=VM.STOP").get());
    assertThat(mineOnly).singleElement().satisfies(e -> assertThat(e).containsEntry("state", "Scheduled")
        .containsEntry("workflowId", "stop-" + mineI + "-1").containsEntry("userId", f.admin.userId())
        .containsEntry("accountId", myAccount).doesNotContainKey("hostId"));
    assertThat(list(as("admin", "/api/v1/events?instanceId=" + theirI).get())).singleElement()
        .satisfies(e -> assertThat(e).containsEntry("hostId", host));
    assertThat(list(as("admin", "/api/v1/events?instanceId=" + theirI + "&from=2000-01-01T00:00:00Z&to="
        + java.time.Instant.now().plusSeconds(60)).get())).hasSize(1);
    assertThat(list(as("admin", "/api/v1/events?instanceId=" + theirI + "&to=2000-01-01T00:00:00Z").get())).isEmpty();
    assertError(as("admin", "/api/v1/events?from=yesterday").get(), 400, "from must be an ISO-8601 time");
    assertError(as("admin", "/api/v1/events?limit=0").get(), 400, "limit must be an integer between 1 and 1000");
    assertError(as("admin", "/api/v1/events?instanceId=x").get(), 400, "instanceId must be a UUID");
  }

  @Test
  void aHostHooksFailureShowsItsDetailToAdminsOnly() {
    String host = f.host("Up", "Enabled", 0);
    String account = f.account(f.domain("hook", null));
    String tenantKey = key(f.caller(Role.User, account));
    String domainAdminKey = key(f.caller(Role.DomainAdmin, account));
    String id = f.instance(account, "Running", host, 0);
    String detail = "state hook failed: hook /etc/gpu-agent/hooks/libvirt-vm-state-change.sh failed with exit code 1;"
        + " stderr: could not reach 10.1.2.3 with token s3cr3t";
    io.gpucloud.service.TestDatabase.jdbi().useHandle(h -> {
      h.execute("UPDATE instances SET state = 'Error', error_reason = ? WHERE id = ?", detail, id);
      io.gpucloud.controlplane.events.Events.record(h, new io.gpucloud.controlplane.events.Events.Event("VM.REBOOT",
          "Failed", f.admin.userId(), account, id, host, "reboot-" + id + "-1", "VM is Error: " + detail));
    });

    assertThat(map(as("admin", "/api/v1/instances/" + id).get(), 200)).containsEntry("errorReason", detail);
    for (String key : List.of(tenantKey, domainAdminKey)) {
      assertThat(map(as(key, "/api/v1/instances/" + id).get(), 200))
          .containsEntry("errorReason", "a host hook failed; an administrator can see the details in the events");
      assertThat(list(as(key, "/api/v1/events?instanceId=" + id + "&type=VM.REBOOT").get())).singleElement()
          .satisfies(e -> assertThat(e).containsEntry("description",
              "VM is Error: a host hook failed; an administrator can see the details in the events"));
    }
    assertThat(list(as("admin", "/api/v1/events?instanceId=" + id + "&type=VM.REBOOT").get())).singleElement()
        .satisfies(e -> assertThat(e).containsEntry("description", "VM is Error: " + detail));
  }

  @Test
  void hostMaintenanceAndItsCancellation() {
    String host = f.host("Up", "Enabled", 2);
    String name = f.hostName(host);
    Map<String, Object> started = map(as("admin", "/api/v1/hosts/" + host + "/maintenance").post(null), 202);
    assertThat(started).containsEntry("workflowId", "maintenance-" + name + "-1")
        .containsEntry("resourceState", "PrepareForMaintenance").containsEntry("gpuInstances", "migrate");
    assertThat(STARTS.maintenance).contains(new RecordingStarts.MaintenanceStart("maintenance-" + name + "-1", host,
        name, "migrate", false));
    assertThat(map(as("admin", "/api/v1/hosts/" + host).get(), 200)).containsEntry("resourceState",
        "PrepareForMaintenance");
    assertError(as("admin", "/api/v1/hosts/" + host + "/maintenance").post(null), 409,
        "host " + name + " is already in PrepareForMaintenance");
    assertError(as("admin", "/api/v1/hosts/" + host + "/enable").post(null), 409, "cancel-maintenance");
    assertThat(list(as("admin", "/api/v1/hosts?resourceState=PrepareForMaintenance&name=" + name).get()))
        .extracting(h -> h.get("id")).containsExactly(host);

    assertThat(map(as("admin", "/api/v1/hosts/" + host + "/cancel-maintenance").post(null), 200))
        .containsEntry("resourceState", "Enabled");
    assertThat(STARTS.maintenance).contains(new RecordingStarts.MaintenanceStart("maintenance-" + name + "-1", null,
        null, null, true));
    assertError(as("admin", "/api/v1/hosts/" + host + "/cancel-maintenance").post(null), 409,
        "host " + name + " is Enabled; cancel-maintenance needs PrepareForMaintenance or Maintenance");
    assertThat(map(as("admin", "/api/v1/hosts/" + host + "/maintenance")
        .post(Entity.json(Map.of("gpuInstances", "stop"))), 202))
        .containsEntry("workflowId", "maintenance-" + name + "-2").containsEntry("gpuInstances", "stop");
    assertError(as("admin", "/api/v1/hosts/" + host + "/maintenance")
        .post(Entity.json(Map.of("gpuInstances", "evacuate"))), 400, "gpuInstances must be migrate or stop");
    assertError(as("admin", "/api/v1/hosts/" + host + "/maintenance")
        .post(Entity.json(Map.of("instances", "stop"))), 400, "instances");
    assertThat(list(as("admin", "/api/v1/events?type=HOST.MAINTENANCE.CANCEL").get()))
        .anySatisfy(e -> assertThat(e).containsEntry("hostId", host));
    String tenant = key(f.caller(Role.User, f.account(f.domain("t", null))));
    assertThat(as(tenant, "/api/v1/hosts/" + host + "/maintenance").post(null).getStatus()).isEqualTo(403);
  }

  @Test
  void aHostIsRemovedOnlyInMaintenanceOrDisconnectedAndEmpty() {
    String host = f.host("Up", "Enabled", 2);
    String name = f.hostName(host);
    String account = f.account(f.domain("del", null));
    assertError(as("admin", "/api/v1/hosts/" + host).delete(), 409,
        "host " + name + " is Up and Enabled; a host is removed only in Maintenance or when Disconnected");
    f.jdbi.useHandle(h -> h.execute("UPDATE hosts SET resource_state = 'Maintenance' WHERE id = ?", host));
    String stopped = f.instance(account, "Stopped", host, 1);
    assertError(as("admin", "/api/v1/hosts/" + host).delete(), 409,
        "host " + name + " still holds instances: vm1 (Stopped)");
    // an instance of another host holding a device here (a migration under way)
    f.jdbi.useHandle(h -> {
      h.execute("UPDATE instances SET state = 'Destroyed', host_id = NULL WHERE id = ?", stopped);
      h.execute("UPDATE gpu_devices SET instance_id = NULL, state = 'Free' WHERE instance_id = ?", stopped);
    });
    String elsewhere = f.instance(account, "Migrating", f.host("Up", "Enabled", 0), 0);
    f.device(host, elsewhere, "Reserved");
    assertError(as("admin", "/api/v1/hosts/" + host).delete(), 409, "has 1 device held by instances of other hosts");
    f.setState(elsewhere, "Destroyed");

    assertThat(as("admin", "/api/v1/hosts/" + host).delete().getStatus()).isEqualTo(204);
    assertError(as("admin", "/api/v1/hosts/" + host).get(), 404, "not found");
    long devices = f.jdbi.withHandle(h -> h.createQuery("SELECT COUNT(*) FROM gpu_devices WHERE host_id = :id")
        .bind("id", host).mapTo(Long.class).one());
    assertThat(devices).isZero();
    assertThat(f.row(stopped)).containsEntry("state", "Destroyed"); // past instances and their history stay
    assertThat(list(as("admin", "/api/v1/events?type=HOST.DELETE").get()))
        .anySatisfy(e -> assertThat(e).containsEntry("hostId", host));

    String disconnected = f.host("Disconnected", "Enabled", 1);
    assertThat(as("admin", "/api/v1/hosts/" + disconnected).delete().getStatus()).isEqualTo(204);
    assertError(as("admin", "/api/v1/hosts/" + UUID.randomUUID()).delete(), 404, "not found");
  }
}
