package io.gpucloud.service;

import io.dropwizard.auth.Authenticator;
import io.dropwizard.jackson.Jackson;
import io.dropwizard.testing.junit5.ResourceExtension;
import io.gpucloud.service.auth.AuthSetup;
import io.gpucloud.service.auth.Caller;
import io.gpucloud.service.auth.Role;
import io.gpucloud.service.errors.ErrorMappers;
import io.gpucloud.service.errors.StrictJson;
import jakarta.ws.rs.client.Invocation;
import jakarta.ws.rs.client.WebTarget;
import jakarta.ws.rs.core.HttpHeaders;
import java.util.Optional;

/** In-memory Jersey for resource tests, set up as the application sets up its own. */
public final class TestResources {
  private TestResources() {}

  /** A builder with the application's JSON, its error mappers only, and Bearer-key auth through {@code callers}. */
  public static ResourceExtension.Builder builder(Authenticator<String, Caller> callers) {
    ResourceExtension.Builder b = ResourceExtension.builder()
        .setMapper(StrictJson.configure(Jackson.newObjectMapper()))
        .setRegisterDefaultExceptionMappers(false);
    ErrorMappers.all().forEach(b::addProvider);
    AuthSetup.components(callers).forEach(b::addProvider);
    return b;
  }

  /** Two callers without a database: key "admin" (an Admin) and key "user" (a User), both in domain dom-1. */
  public static Optional<Caller> stubCallers(String key) {
    return switch (key) {
      case "admin" -> Optional.of(new Caller("u-admin", "admin", "acc-1", "dom-1", Role.Admin));
      case "user" -> Optional.of(new Caller("u-alice", "alice", "acc-2", "dom-1", Role.User));
      default -> Optional.empty();
    };
  }

  /** A request with "Authorization: Bearer key" to path, whose "?a=b&c=d" become query parameters. */
  public static Invocation.Builder request(ResourceExtension resources, String key, String path) {
    String[] parts = path.split("\\?", 2);
    WebTarget t = resources.target(parts[0]);
    if (parts.length == 2) {
      for (String kv : parts[1].split("&")) {
        String[] p = kv.split("=", 2);
        t = t.queryParam(p[0], p.length == 2 ? p[1] : "");
      }
    }
    return t.request().header(HttpHeaders.AUTHORIZATION, "Bearer " + key);
  }
}
