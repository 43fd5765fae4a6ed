package io.gpucloud.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A DomainAdmin sees the instances and devices of its domain subtree, and nothing of a sibling domain
 * whose path merely matches its own as a LIKE pattern: "_" is a LIKE wildcard, so /ROOT/s_Q/ as a
 * prefix pattern also matches /ROOT/szQ/. Instances are deployed on the "ACS Misc Card" GPUs of host
 * M1 (test-only spec).
 */
class DomainScopeTest {
  static final String CARD = "ACS Misc Card";

  static Stack stack;
  static String template;
  static String offering;

  @BeforeAll
  static void up() {
    stack = Stack.get();
    stack.awaitHosts("M1");
    template = Tenants.template(stack);
    offering = Tenants.offering(stack, CARD, "passthrough", 1, 1, 100, 128);
  }

  static JsonNode running(Tenants.Tenant owner, String name) {
    JsonNode i = Tenants.deployAndWait(stack, owner.key(), name, offering, template);
    assertThat(i.path("state").asText()).as(i.toString()).isEqualTo("Running");
    assertThat(Stack.list(i.path("devices"))).hasSize(1);
    return i;
  }

  static List<String> ids(JsonNode array, String field) {
    return Stack.list(array).stream().map(n -> n.path(field).asText()).toList();
  }

  @Test
  void aDomainAdminSeesItsSubtreeAndNotADomainItsPathMatchesAsALikePattern() {
    String tag = "s" + UUID.randomUUID().toString().substring(0, 6);
    String mine = Tenants.domain(stack, Tenants.ROOT_DOMAIN, tag + "_Q"); // /ROOT/sXXXXXX_Q/
    String sub = Tenants.domain(stack, mine, "sub"); // /ROOT/sXXXXXX_Q/sub/
    String lookalike = Tenants.domain(stack, Tenants.ROOT_DOMAIN, tag + "zQ"); // /ROOT/sXXXXXXzQ/
    assertThat(stack.get("/domains/" + lookalike).path("path").asText()).isEqualTo("/ROOT/" + tag + "zQ/");

    Tenants.Tenant domainAdmin = Tenants.tenantIn(stack, mine, "dadmin", "DomainAdmin", Tenants.unlimited());
    Tenants.Tenant inSubtree = Tenants.tenantIn(stack, sub, "subuser", "User", Tenants.unlimited());
    Tenants.Tenant outside = Tenants.tenantIn(stack, lookalike, "lookalike", "User", Tenants.unlimited());
    JsonNode own = running(inSubtree, "in-subtree");
    JsonNode foreign = running(outside, "look-alike");
    String ownDevice = Stack.list(own.path("devices")).get(0).path("id").asText();
    String foreignDevice = Stack.list(foreign.path("devices")).get(0).path("id").asText();

    // its own subtree: seen (the set-up is valid)
    List<String> listed = ids(stack.call("GET", "/instances", null, domainAdmin.key()).body(), "id");
    assertThat(listed).contains(own.path("id").asText());
    assertThat(stack.call("GET", "/instances/" + own.path("id").asText(), null, domainAdmin.key()).status())
        .isEqualTo(200);
    List<String> devices = ids(stack.call("GET", "/gpu-devices", null, domainAdmin.key()).body(), "id");
    assertThat(devices).contains(ownDevice);

    // the look-alike sibling: not seen (all three checked, each failure reported)
    SoftAssertions softly = new SoftAssertions();
    softly.assertThat(listed).as("GET /instances of a DomainAdmin of /ROOT/" + tag + "_Q/ lists an instance of /ROOT/"
        + tag + "zQ/ ('_' taken as a LIKE wildcard)").doesNotContain(foreign.path("id").asText());
    Stack.Response get = stack.call("GET", "/instances/" + foreign.path("id").asText(), null, domainAdmin.key());
    softly.assertThat(get.status()).as("GET /instances/{id} of the look-alike domain's instance: " + get.raw())
        .isEqualTo(404);
    softly.assertThat(devices).as("GET /gpu-devices of the DomainAdmin lists the look-alike domain's device")
        .doesNotContain(foreignDevice);
    softly.assertThat(ids(stack.call("GET", "/gpu-devices?instanceId=" + foreign.path("id").asText(), null,
        domainAdmin.key()).body(), "id")).as("GET /gpu-devices?instanceId= of the look-alike domain's instance").isEmpty();
    softly.assertAll();
  }

  @Test
  void percentIsNotAllowedInADomainName() {
    // the other LIKE wildcard cannot get into a path: /ROOT/a%/ versus /ROOT/abc/ cannot be set up
    Stack.Response r = stack.admin("POST", "/domains", Map.of("name", "a%", "parentId", Tenants.ROOT_DOMAIN));
    assertThat(r.status()).as(r.raw()).isEqualTo(400);
    assertThat(r.body().path("message").asText()).contains("name");
  }
}
