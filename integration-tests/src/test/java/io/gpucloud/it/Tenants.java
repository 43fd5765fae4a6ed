package io.gpucloud.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Test fixtures made through the API as an operator would: accounts, users, offerings, templates. */
final class Tenants {
  static final String ROOT_DOMAIN = "00000000-0000-0000-0000-000000000001";

  private Tenants() {}

  record Tenant(String accountId, String userId, String key) {}

  static Tenant tenant(Stack stack, String prefix, Map<String, Object> limits) {
    return tenantIn(stack, ROOT_DOMAIN, prefix, "User", limits);
  }

  /** An account in the domain, with one user of the role (User, DomainAdmin, Admin) and an API key. */
  static Tenant tenantIn(Stack stack, String domainId, String prefix, String role, Map<String, Object> limits) {
    String suffix = UUID.randomUUID().toString().substring(0, 8);
    Stack.Response acct = stack.admin("POST", "/accounts", Map.of("name", prefix + "-" + suffix, "domainId", domainId));
    assertThat(acct.status()).as(acct.raw()).isEqualTo(201);
    String accountId = acct.body().path("id").asText();
    Stack.Response user = stack.admin("POST", "/users",
        Map.of("name", prefix + "-user-" + suffix, "role", role, "accountId", accountId));
    assertThat(user.status()).as(user.raw()).isEqualTo(201);
    String userId = user.body().path("id").asText();
    Stack.Response key = stack.admin("POST", "/users/" + userId + "/keys", null);
    assertThat(key.status()).as(key.raw()).isEqualTo(201);
    if (limits != null) {
      Stack.Response l = stack.admin("PUT", "/accounts/" + accountId + "/limits", limits);
      assertThat(l.status()).as(l.raw()).isEqualTo(200);
    }
    return new Tenant(accountId, userId, key.body().path("key").asText());
  }

  static Map<String, Object> unlimited() {
    return Map.of("gpuLimit", -1, "instanceLimit", -1, "cpuLimit", -1, "memoryLimit", -1);
  }

  static String profileId(Stack stack, String cardName, String profile) {
    JsonNode card = Stack.list(stack.get("/gpu-cards")).stream().filter(c -> c.path("name").asText().equals(cardName))
        .findFirst().orElseThrow(() -> new AssertionError("no card " + cardName));
    return Stack.list(stack.get("/vgpu-profiles?cardId=" + card.path("id").asText())).stream()
        .filter(p -> p.path("name").asText().equals(profile)).findFirst()
        .orElseThrow(() -> new AssertionError("no profile " + profile + " of " + cardName)).path("id").asText();
  }

  static String offering(Stack stack, String cardName, String profile, int gpus, int cpus, int mhz, long mem) {
    return offering(stack, cardName, profile, gpus, cpus, mhz, mem, null);
  }

  /** numaPolicy null: the API's default (preferred). */
  static String offering(Stack stack, String cardName, String profile, int gpus, int cpus, int mhz, long mem,
      String numaPolicy) {
    Map<String, Object> body = new HashMap<>(Map.of("name", "off-" + UUID.randomUUID().toString().substring(0, 8),
        "cpuCores", cpus, "cpuSpeedMhz", mhz, "memoryMb", mem, "vgpuProfileId", profileId(stack, cardName, profile),
        "gpuCount", gpus, "gpuDisplay", false));
    if (numaPolicy != null) {
      body.put("numaPolicy", numaPolicy);
    }
    Stack.Response r = stack.admin("POST", "/offerings", body);
    assertThat(r.status()).as(r.raw()).isEqualTo(201);
    return r.body().path("id").asText();
  }

  /** A domain under the parent; its id. */
  static String domain(Stack stack, String parentId, String name) {
    Stack.Response r = stack.admin("POST", "/domains", Map.of("name", name, "parentId", parentId));
    assertThat(r.status()).as(r.raw()).isEqualTo(201);
    return r.body().path("id").asText();
  }

  static String template(Stack stack) {
    Stack.Response r = stack.admin("POST", "/templates", Map.of("name", "tpl-" + UUID.randomUUID().toString().substring(0, 8),
        "osType", "Ubuntu 24.04", "rootDiskGb", 1, "imagePath", "/var/lib/images/ubuntu-24.04.qcow2"));
    assertThat(r.status()).as(r.raw()).isEqualTo(201);
    return r.body().path("id").asText();
  }

  static Stack.Response deploy(Stack stack, String key, String name, String offeringId, String templateId,
      String idempotencyKey) {
    Map<String, Object> body = Map.of("name", name, "offeringId", offeringId, "templateId", templateId);
    return idempotencyKey == null ? stack.call("POST", "/instances", body, key)
        : stack.callWithHeader("POST", "/instances", body, key, "Idempotency-Key", idempotencyKey);
  }

  /**
   * Deploys and waits for the Deploy workflow to close; the instance as an Admin sees it (state,
   * host, devices with address and NUMA node).
   */
  static JsonNode deployAndWait(Stack stack, String key, String name, String offeringId, String templateId) {
    Stack.Response r = deploy(stack, key, name, offeringId, templateId, null);
    assertThat(r.status()).as(r.raw()).isEqualTo(202);
    String id = r.body().path("id").asText();
    stack.awaitWorkflow("deploy-" + id, Duration.ofSeconds(120));
    return stack.get("/instances/" + id);
  }

  /** Waits until no instance of the caller is Creating any more, and returns them all. */
  static List<JsonNode> settled(Stack stack, String key, Duration timeout) {
    Stack.await("deploys to settle", timeout, () -> Stack.list(stack.call("GET", "/instances", null, key).body())
        .stream().noneMatch(i -> i.path("state").asText().equals("Creating")));
    return Stack.list(stack.admin("GET", "/instances", null).body());
  }
}
