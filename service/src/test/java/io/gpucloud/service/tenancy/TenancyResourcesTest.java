package io.gpucloud.service.tenancy;

import static io.gpucloud.service.ApiAssertions.assertError;
import static org.assertj.core.api.Assertions.assertThat;

import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import io.dropwizard.testing.junit5.ResourceExtension;
import io.gpucloud.service.TestResources;
import jakarta.ws.rs.client.Entity;
import jakarta.ws.rs.core.Response;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The tenancy resources over in-memory Jersey: role checks and body checks that fail before the database. */
@ExtendWith(DropwizardExtensionsSupport.class)
class TenancyResourcesTest {
  static final ResourceExtension RESOURCES;

  static {
    ResourceExtension.Builder b = TestResources.builder(TestResources::stubCallers);
    TenancyResources.create(Jdbi.create("jdbc:mariadb://127.0.0.1:1/none")).forEach(b::addResource);
    RESOURCES = b.build();
  }

  private static Response call(String key, String method, String path, String json) {
    var req = TestResources.request(RESOURCES, key, path);
    return json == null ? req.method(method) : req.method(method, Entity.json(json));
  }

  @Test
  void usersCannotTakeAdminActions() {
    assertError(call("user", "POST", "/api/v1/offerings", "{\"name\":\"x\"}"), 403, "requires role Admin");
    assertError(call("user", "DELETE", "/api/v1/offerings/x", null), 403, "requires role Admin");
    assertError(call("user", "POST", "/api/v1/templates", "{\"name\":\"x\"}"), 403, "requires role Admin");
    assertError(call("user", "GET", "/api/v1/settings", null), 403, "requires role Admin");
    assertError(call("user", "PUT", "/api/v1/settings", "{}"), 403, "requires role Admin");
    assertError(call("user", "POST", "/api/v1/domains", "{\"name\":\"x\"}"), 403, "forbidden");
    assertError(call("user", "POST", "/api/v1/accounts", "{\"name\":\"x\"}"), 403, "forbidden");
    assertError(call("user", "DELETE", "/api/v1/projects/p", null), 403, "forbidden");
    assertError(call("user", "PUT", "/api/v1/accounts/acc-2/limits", "{\"gpuLimit\":1}"), 403, "forbidden");
    assertThat(call("nobody", "GET", "/api/v1/offerings", null).getStatus()).isEqualTo(401);
  }

  @Test
  void badBodiesAre400sNamingTheField() {
    assertError(call("admin", "PUT", "/api/v1/settings", "{\"max.account.gpus\": \"many\"}"), 400, "max.account.gpus");
    assertError(call("admin", "PUT", "/api/v1/settings", "{\"nope\": 1}"), 400, "unknown setting 'nope'");
    assertError(call("admin", "POST", "/api/v1/offerings", "{\"name\":\"o\",\"cpuCores\":0,\"cpuSpeedMhz\":1,\"memoryMb\":1}"),
        400, "cpuCores must be >= 1");
    assertError(call("admin", "POST", "/api/v1/offerings", "{\"name\":\"o\",\"cpus\":1}"), 400, "cpus");
    assertError(call("admin", "POST", "/api/v1/templates", "{\"name\":\"t\",\"osType\":\"l\",\"rootDiskGb\":1,\"imagePath\":\"x\"}"),
        400, "imagePath must be an absolute path");
    assertError(call("admin", "GET", "/api/v1/offerings?gpuEnabled=maybe", null), 400, "gpuEnabled must be true or false");
  }
}
