package io.gpucloud.service.tenancy;

import static org.assertj.core.api.Assertions.assertThat;

import io.dropwizard.jackson.Jackson;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import io.dropwizard.testing.junit5.ResourceExtension;
import io.gpucloud.service.auth.AuthSetup;
import io.gpucloud.service.auth.Caller;
import io.gpucloud.service.auth.Role;
import io.gpucloud.service.errors.ErrorMappers;
import io.gpucloud.service.errors.StrictJson;
import jakarta.ws.rs.client.Entity;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The tenancy resources over in-memory Jersey: role checks and body checks that fail before the database. */
@ExtendWith(DropwizardExtensionsSupport.class)
class TenancyResourcesTest {
  static final ResourceExtension RESOURCES;

  static {
    Jdbi jdbi = Jdbi.create("jdbc:mariadb://127.0.0.1:1/none");
    ResourceExtension.Builder b = ResourceExtension.builder()
        .setMapper(StrictJson.configure(Jackson.newObjectMapper()))
        .setRegisterDefaultExceptionMappers(false);
    TenancyResources.create(jdbi).forEach(b::addResource);
    ErrorMappers.all().forEach(b::addProvider);
    AuthSetup.components(TenancyResourcesTest::lookup).forEach(b::addProvider);
    RESOURCES = b.build();
  }

  static Optional<Caller> lookup(String key) {
    return switch (key) {
      case "admin" -> Optional.of(new Caller("u-admin", "admin", "acc-1", "dom-1", Role.Admin));
      case "user" -> Optional.of(new Caller("u-alice", "alice", "acc-2", "dom-1", Role.User));
      default -> Optional.empty();
    };
  }

  private static Response call(String key, String method, String path, String json) {
    String[] parts = path.split("\\?", 2);
    var target = RESOURCES.target(parts[0]);
    if (parts.length == 2) {
      String[] kv = parts[1].split("=", 2);
      target = target.queryParam(kv[0], kv[1]);
    }
    var req = target.request().header(HttpHeaders.AUTHORIZATION, "Bearer " + key);
    return json == null ? req.method(method) : req.method(method, Entity.json(json));
  }

  @SuppressWarnings("unchecked")
  private static void assertError(Response r, int status, String part) {
    assertThat(r.getStatus()).isEqualTo(status);
    Map<String, Object> body = r.readEntity(Map.class);
    assertThat(body).containsEntry("code", status);
    assertThat((String) body.get("message")).contains(part);
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
