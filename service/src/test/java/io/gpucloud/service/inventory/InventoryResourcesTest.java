package io.gpucloud.service.inventory;

import static io.gpucloud.service.ApiAssertions.assertError;
import static org.assertj.core.api.Assertions.assertThat;

import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import io.dropwizard.testing.junit5.ResourceExtension;
import io.gpucloud.service.TestDatabase;
import io.gpucloud.service.TestResources;
import io.gpucloud.service.instances.InstanceService;
import io.gpucloud.service.workflows.WorkflowInspector;
import io.gpucloud.service.workflows.WorkflowResource;
import jakarta.ws.rs.client.Entity;
import jakarta.ws.rs.client.Invocation;
import jakarta.ws.rs.core.Response;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The resources over HTTP (in-memory Jersey) with the application's auth, JSON and error mappers.
 * Most paths fail before the database; the card life cycle needs the test database of
 * {@link TestDatabase} and fails without it.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
class InventoryResourcesTest {
  private static final String DB_URL = System.getenv(TestDatabase.ENV); // checked where needed
  static final ResourceExtension RESOURCES;

  static {
    Jdbi jdbi = Jdbi.create(DB_URL != null && !DB_URL.isBlank() ? DB_URL : "jdbc:mariadb://127.0.0.1:1/none");
    ResourceExtension.Builder b = TestResources.builder(TestResources::stubCallers);
    InventoryResources.create(jdbi, null, new InstanceService(jdbi, null)).forEach(b::addResource);
    b.addResource(new WorkflowResource(new WorkflowInspector(null, "default", "http://localhost:8233")));
    RESOURCES = b.build();
  }

  private static Invocation.Builder as(String key, String path) {
    return TestResources.request(RESOURCES, key, path);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(Response r) {
    return r.readEntity(Map.class);
  }

  @Test
  void everyInventoryEndpointIsAdminOnly() {
    // GET /gpu-devices is open to tenants (their own instances' devices; DeployTest covers it)
    for (String path : List.of("/api/v1/gpu-cards", "/api/v1/vgpu-profiles", "/api/v1/hosts", "/api/v1/gpu-devices/x",
        "/api/v1/workflows/x")) {
      assertThat(RESOURCES.target(path).request().get().getStatus()).as(path).isEqualTo(401);
      assertError(as("user", path).get(), 403, "Admin");
    }
    assertError(as("user", "/api/v1/hosts/x/discover").post(Entity.json("{}")), 403, "Admin");
  }

  @Test
  void validationErrorsNameTheField() {
    assertError(as("admin", "/api/v1/gpu-cards").post(Entity.json(
        Map.of("vendorId", "10d", "deviceId", "26b9", "vendorName", "N", "deviceName", "L"))),
        400, "vendorId must be 4 hex digits");
    assertError(as("admin", "/api/v1/gpu-cards").post(Entity.json(
        Map.of("vendorId", "10de", "deviceId", "26b9", "vendorName", "N", "deviceName", "L", "colour", "x"))),
        400, "field 'colour': unknown field");
    assertError(as("admin", "/api/v1/gpu-cards?vendorId=xyz").get(), 400, "vendorId must be 4 hex digits");
    assertError(as("admin", "/api/v1/vgpu-profiles").post(Entity.json(Map.of("cardId", "c", "name", "n", "maxVgpusPerGpu", 0))),
        400, "maxVgpusPerGpu must be >= 1");
    assertError(as("admin", "/api/v1/hosts?state=Sleeping").get(), 400, "state must be one of Up, Down, Disconnected");
    assertError(as("admin", "/api/v1/hosts/h/events?limit=abc").get(), 400, "limit must be an integer");
    assertError(as("admin", "/api/v1/gpu-devices?type=GPU").get(), 400, "type must be one of PCI, MDEV, VGPU_ONLY");
    assertError(as("admin", "/api/v1/gpu-devices").post(Entity.json(
        Map.of("hostId", "h", "busAddress", "1:2", "type", "PCI", "cardId", "c", "profileId", "p"))),
        400, "busAddress must be a PCI address");
    assertError(as("admin", "/api/v1/gpu-devices/d").put(Entity.json(Map.of("numaNode", "one"))), 400, "numaNode must be an integer");
    assertError(as("admin", "/api/v1/gpu-cards").post(Entity.json("")), 400, "");
  }

  @Test
  void cardLifecycleOverHttp() {
    TestDatabase.jdbi(); // fails, saying how to run it, without the test database; migrates it otherwise
    String vendor = String.format(Locale.ROOT, "%04x", ThreadLocalRandom.current().nextInt(0x10000));
    Response created = as("admin", "/api/v1/gpu-cards").post(Entity.json(
        Map.of("vendorId", vendor.toUpperCase(Locale.ROOT), "deviceId", "ABCD", "vendorName", "V", "deviceName", "D")));
    assertThat(created.getStatus()).isEqualTo(201);
    Map<String, Object> card = map(created);
    String id = (String) card.get("id");
    assertThat(created.getLocation().getPath()).isEqualTo("/api/v1/gpu-cards/" + id);
    assertThat(card).containsEntry("vendorId", vendor).containsEntry("deviceId", "abcd").containsEntry("name", "D");
    assertThat((String) card.get("createdAt")).matches("\\d{4}-\\d\\d-\\d\\dT.*Z");
    assertError(as("admin", "/api/v1/gpu-cards").post(Entity.json(
        Map.of("vendorId", vendor, "deviceId", "abcd", "vendorName", "V", "deviceName", "D"))), 409, vendor + ":abcd");
    assertThat(as("admin", "/api/v1/vgpu-profiles?cardId=" + id).get().readEntity(List.class)).hasSize(1);
    assertThat(as("admin", "/api/v1/gpu-cards/" + id).put(Entity.json(Map.of("name", "New"))).readEntity(Map.class))
        .containsEntry("name", "New");
    assertThat(as("admin", "/api/v1/gpu-cards/" + id).delete().getStatus()).isEqualTo(204);
    assertError(as("admin", "/api/v1/gpu-cards/" + id).get(), 404, id);
  }
}
