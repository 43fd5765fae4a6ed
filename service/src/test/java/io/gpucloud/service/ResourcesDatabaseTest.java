package io.gpucloud.service;

import static io.gpucloud.service.ApiAssertions.assertError;
import static org.assertj.core.api.Assertions.assertThat;

import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import io.dropwizard.testing.junit5.ResourceExtension;
import io.gpucloud.service.auth.AdminBootstrap;
import io.gpucloud.service.auth.Caller;
import io.gpucloud.service.auth.Role;
import io.gpucloud.service.instances.InstanceOperations;
import io.gpucloud.service.instances.InstanceResource;
import io.gpucloud.service.instances.InstanceService;
import io.gpucloud.service.inventory.InventoryResources;
import io.gpucloud.service.tenancy.TenancyResources;
import jakarta.ws.rs.client.Entity;
import jakarta.ws.rs.client.Invocation;
import jakarta.ws.rs.core.Response;
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
 * The tenancy, instance and device resources over in-memory HTTP, with the application's auth, JSON
 * and error mappers, against the test database: the routes, status codes, Location headers and JSON
 * fields of domains, accounts and projects (one shared resource class), and what a DomainAdmin of
 * /ROOT/x_Q…/ gets for the instances, devices and account of /ROOT/xzQ…/.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
class ResourcesDatabaseTest {
  private static final Map<String, Caller> CALLERS = new ConcurrentHashMap<>();
  static final ResourceExtension RESOURCES;

  static {
    String url = System.getenv(TestDatabase.ENV); // checked, with its message, by setUp
    Jdbi jdbi = Jdbi.create(url != null && !url.isBlank() ? url : "jdbc:mariadb://127.0.0.1:1/none");
    ResourceExtension.Builder b = TestResources.builder(key -> Optional.ofNullable(CALLERS.get(key)));
    InstanceService instances = new InstanceService(jdbi, null);
    TenancyResources.create(jdbi).forEach(b::addResource);
    InventoryResources.create(jdbi, null, instances).forEach(b::addResource);
    b.addResource(new InstanceResource(instances, new InstanceOperations(jdbi, new RecordingStarts())));
    RESOURCES = b.build();
  }

  @BeforeAll
  static void setUp() {
    Jdbi jdbi = TestDatabase.jdbi();
    CALLERS.put("admin", TestDatabase.admin());
  }

  private static Invocation.Builder as(String key, String path) {
    return TestResources.request(RESOURCES, key, path);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(Response r) {
    return r.readEntity(Map.class);
  }

  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> list(Response r) {
    assertThat(r.getStatus()).isEqualTo(200);
    return r.readEntity(List.class);
  }

  private static Map<String, Object> created(Response r, String base) {
    assertThat(r.getStatus()).isEqualTo(201);
    Map<String, Object> body = map(r);
    assertThat(r.getLocation().getPath()).isEqualTo(base + "/" + body.get("id"));
    return body;
  }

  private static String uniq(String p) {
    return p + UUID.randomUUID().toString().substring(0, 8);
  }

  @Test
  void domainsAccountsAndProjectsShareTheirRoutes() {
    String name = uniq("http-");
    Map<String, Object> domain = created(as("admin", "/api/v1/domains").post(Entity.json(Map.of("name", name))),
        "/api/v1/domains");
    String domainId = (String) domain.get("id");
    assertThat(domain).containsOnlyKeys("id", "name", "parentId", "path", "createdAt")
        .containsEntry("name", name).containsEntry("parentId", AdminBootstrap.ROOT_DOMAIN_ID)
        .containsEntry("path", "/ROOT/" + name + "/");
    assertThat(map(as("admin", "/api/v1/domains/" + domainId).get())).isEqualTo(domain);
    assertThat(list(as("admin", "/api/v1/domains?parentId=" + AdminBootstrap.ROOT_DOMAIN_ID + "&name=" + name).get()))
        .containsExactly(domain);
    Map<String, Object> renamed = map(as("admin", "/api/v1/domains/" + domainId).put(Entity.json(Map.of("name", name + "b"))));
    assertThat(renamed).containsEntry("path", "/ROOT/" + name + "b/");

    Map<String, Object> account = created(as("admin", "/api/v1/accounts")
        .post(Entity.json(Map.of("name", "acc", "domainId", domainId))), "/api/v1/accounts");
    String accountId = (String) account.get("id");
    assertThat(account).containsOnlyKeys("id", "name", "domainId", "domainPath", "createdAt")
        .containsEntry("domainPath", "/ROOT/" + name + "b/");
    assertThat(list(as("admin", "/api/v1/accounts?domainId=" + domainId).get())).containsExactly(account);
    assertError(as("admin", "/api/v1/accounts").post(Entity.json(Map.of("name", "acc", "domainId", domainId))),
        409, "an account named 'acc' already exists in that domain");
    // the body is read as the object's own request type: an unknown field is named
    assertError(as("admin", "/api/v1/accounts").post(Entity.json(Map.of("name", "x", "colour", "red"))), 400, "colour");
    assertError(as("admin", "/api/v1/accounts/" + accountId).put(Entity.json(Map.of("domainId", "elsewhere"))),
        400, "domainId is immutable");

    Map<String, Object> project = created(as("admin", "/api/v1/projects")
        .post(Entity.json(Map.of("name", uniq("p-"), "accountId", accountId))), "/api/v1/projects");
    String projectId = (String) project.get("id");
    assertThat(project).containsOnlyKeys("id", "name", "accountId", "accountName", "domainId", "domainPath", "createdAt")
        .containsEntry("accountName", "acc");
    assertThat(list(as("admin", "/api/v1/projects?accountId=" + accountId).get())).containsExactly(project);

    for (String path : List.of("/api/v1/domains/" + domainId, "/api/v1/accounts/" + accountId,
        "/api/v1/projects/" + projectId)) {
      Map<String, Object> limits = map(as("admin", path + "/limits").get());
      assertThat(limits).containsKeys("gpuLimit", "gpuTotal", "gpuAvailable", "memoryAvailable").hasSize(12);
      assertThat(map(as("admin", path + "/limits").put(Entity.json(Map.of("gpuLimit", 3))))).containsEntry("gpuLimit", 3);
      assertError(as("admin", path + "/limits").put(Entity.json(Map.of("gpuLimit", "x"))), 400, "gpuLimit");
    }

    assertError(as("admin", "/api/v1/accounts/" + accountId).delete(), 409, "has 1 project");
    assertThat(as("admin", "/api/v1/projects/" + projectId).delete().getStatus()).isEqualTo(204);
    assertThat(as("admin", "/api/v1/accounts/" + accountId).delete().getStatus()).isEqualTo(204);
    assertThat(as("admin", "/api/v1/domains/" + domainId).delete().getStatus()).isEqualTo(204);
    assertError(as("admin", "/api/v1/domains/" + domainId).get(), 404, "domain " + domainId + " not found");
    assertError(as("admin", "/api/v1/accounts/" + accountId).get(), 404, "account " + accountId + " not found");
    assertError(as("admin", "/api/v1/projects/" + projectId + "/limits").get(), 404, "project " + projectId + " not found");
  }

  @Test
  void everyBodyRejectsAnUnknownFieldNamingIt() {
    // a deploy that carries an option this version does not know (a queue request, say) is refused, not
    // run as a plain deploy; the instance, card, profile and device bodies were read leniently before
    String some = UUID.randomUUID().toString();
    Map<String, Object> deploy = Map.of("name", "vm1", "offeringId", some, "templateId", some, "bogus", 1);
    assertError(as("admin", "/api/v1/instances").post(Entity.json(deploy)), 400, "field 'bogus': unknown field");
    assertError(as("admin", "/api/v1/gpu-cards").post(Entity.json(Map.of("vendorId", "10de", "deviceId", "26b9",
        "vendorName", "NVIDIA", "deviceName", "L40S", "bogus", 1))), 400, "field 'bogus': unknown field");
    assertError(as("admin", "/api/v1/vgpu-profiles").post(Entity.json(Map.of("cardId", some, "name", "p",
        "bogus", 1))), 400, "field 'bogus': unknown field");
    assertError(as("admin", "/api/v1/gpu-devices").post(Entity.json(Map.of("hostId", some, "busAddress",
        "0000:01:00.0", "type", "PCI", "bogus", 1))), 400, "field 'bogus': unknown field");
  }

  @Test
  void aDomainAdminOfXUnderscoreQSeesNothingOfXzQ() {
    Jdbi jdbi = TestDatabase.jdbi();
    String sfx = uniq("");
    String mine = (String) created(as("admin", "/api/v1/domains").post(Entity.json(Map.of("name", "x_Q" + sfx))),
        "/api/v1/domains").get("id");
    String theirs = (String) created(as("admin", "/api/v1/domains").post(Entity.json(Map.of("name", "xzQ" + sfx))),
        "/api/v1/domains").get("id");
    String myAccount = (String) created(as("admin", "/api/v1/accounts")
        .post(Entity.json(Map.of("name", "a", "domainId", mine))), "/api/v1/accounts").get("id");
    String theirAccount = (String) created(as("admin", "/api/v1/accounts")
        .post(Entity.json(Map.of("name", "a", "domainId", theirs))), "/api/v1/accounts").get("id");
    String myInstance = UUID.randomUUID().toString();
    String theirInstance = UUID.randomUUID().toString();
    jdbi.useHandle(h -> {
      for (String[] i : new String[][] {{myInstance, myAccount}, {theirInstance, theirAccount}}) {
        h.execute("INSERT INTO instances (id, name, vm_name, account_id, state, gpu_count, cpu_cores, memory_mb)"
            + " VALUES (?, 'vm', ?, ?, 'Running', 0, 1, 512)", i[0], "i-" + i[0], i[1]);
      }
    });
    String key = uniq("da-");
    CALLERS.put(key, new Caller(UUID.randomUUID().toString(), key, myAccount, mine, Role.DomainAdmin));

    assertThat(list(as(key, "/api/v1/instances").get())).extracting(i -> i.get("id")).containsExactly(myInstance);
    assertThat(map(as(key, "/api/v1/instances/" + myInstance).get())).containsEntry("id", myInstance);
    assertError(as(key, "/api/v1/instances/" + theirInstance).get(), 404, "instance " + theirInstance + " does not exist");
    assertThat(list(as(key, "/api/v1/gpu-devices?instanceId=" + theirInstance).get())).isEmpty();
    assertError(as(key, "/api/v1/accounts/" + theirAccount).get(), 404, "not found");
    assertThat(list(as(key, "/api/v1/accounts").get())).extracting(a -> a.get("id")).containsExactly(myAccount);
    assertThat(list(as("admin", "/api/v1/instances").get())).extracting(i -> i.get("id"))
        .contains(myInstance, theirInstance);
  }
}
