package io.gpucloud.service.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.dropwizard.auth.Auth;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import io.dropwizard.testing.junit5.ResourceExtension;
import io.gpucloud.service.TestResources;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(DropwizardExtensionsSupport.class)
class AuthFilterTest {
  static final String ADMIN_KEY = ApiKeys.generate();
  static final String USER_KEY = ApiKeys.generate();

  /** Stub: two known keys, no database. */
  static Optional<Caller> lookup(String key) {
    if (ADMIN_KEY.equals(key)) {
      return Optional.of(new Caller("u-admin", "admin", "acc-1", "dom-1", Role.Admin));
    }
    if (USER_KEY.equals(key)) {
      return Optional.of(new Caller("u-alice", "alice", "acc-2", "dom-1", Role.User));
    }
    return Optional.empty();
  }

  @Path("/t")
  @Produces(MediaType.APPLICATION_JSON)
  public static class TestResource {
    @GET
    @Path("/admin")
    @RolesAllowed(Role.ADMIN)
    public Map<String, String> admin(@Auth Caller caller) {
      return Map.of("user", caller.userName());
    }

    @GET
    @Path("/any")
    @RolesAllowed({Role.ADMIN, Role.DOMAIN_ADMIN, Role.USER})
    public Map<String, String> any(@Auth Caller caller) {
      return Map.of("user", caller.userName(), "account", caller.accountId(), "role", caller.role().name());
    }
  }

  static final ResourceExtension RESOURCES;

  static {
    RESOURCES = TestResources.builder(AuthFilterTest::lookup).addResource(new TestResource()).build();
  }

  private static Response get(String path, String authorization) {
    var req = RESOURCES.target(path).request();
    if (authorization != null) {
      req = req.header(HttpHeaders.AUTHORIZATION, authorization);
    }
    return req.get();
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> body(Response r) {
    return r.readEntity(Map.class);
  }

  @Test
  void missingKeyIs401Json() {
    Response r = get("/t/any", null);
    assertThat(r.getStatus()).isEqualTo(401);
    assertThat(r.getHeaderString(HttpHeaders.WWW_AUTHENTICATE)).startsWith("Bearer");
    assertThat(body(r)).isEqualTo(Map.of("code", 401, "message", "missing or invalid API key"));
  }

  @Test
  void unknownKeyIs401() {
    Response r = get("/t/any", "Bearer " + ApiKeys.generate());
    assertThat(r.getStatus()).isEqualTo(401);
    assertThat(body(r)).containsEntry("message", "missing or invalid API key");
  }

  @Test
  void wrongSchemeIs401() {
    assertThat(get("/t/any", "Basic " + USER_KEY).getStatus()).isEqualTo(401);
    assertThat(get("/t/any", USER_KEY).getStatus()).isEqualTo(401);
  }

  @Test
  void validKeyInjectsCaller() {
    Response r = get("/t/any", "Bearer " + USER_KEY);
    assertThat(r.getStatus()).isEqualTo(200);
    assertThat(body(r)).containsEntry("user", "alice").containsEntry("account", "acc-2").containsEntry("role", "User");
  }

  @Test
  void wrongRoleIs403NamingTheRole() {
    Response r = get("/t/admin", "Bearer " + USER_KEY);
    assertThat(r.getStatus()).isEqualTo(403);
    Map<String, Object> b = body(r);
    assertThat(b.get("code")).isEqualTo(403);
    assertThat((String) b.get("message")).contains("Admin");
  }

  @Test
  void adminPassesAdminOnly() {
    Response r = get("/t/admin", "Bearer " + ADMIN_KEY);
    assertThat(r.getStatus()).isEqualTo(200);
    assertThat(body(r)).containsEntry("user", "admin");
  }

  @Test
  void authorizerMatchesRoleNames() {
    RoleAuthorizer a = new RoleAuthorizer();
    Caller user = new Caller("u", "n", "a", "d", Role.User);
    assertThat(a.authorize(user, "User", null)).isTrue();
    assertThat(a.authorize(user, "Admin", null)).isFalse();
    assertThat(a.authorize(null, "User", null)).isFalse();
  }
}
