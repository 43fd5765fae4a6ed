package io.gpucloud.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The Admin inventory API against the real stack: refusals, manual devices, auth. */
class InventoryApiTest {
  static Stack stack;
  static String h1;

  @BeforeAll
  static void up() {
    stack = Stack.get();
    Stack.await("H1 discovered", Duration.ofMinutes(2), () -> Stack.list(stack.get("/hosts")).stream()
        .anyMatch(h -> h.path("name").asText().equals("H1") && h.path("gpuTotal").asInt() == 20));
    h1 = Stack.list(stack.get("/hosts")).stream().filter(h -> h.path("name").asText().equals("H1")).findFirst()
        .orElseThrow().path("id").asText();
  }

  static JsonNode firstFree(String type) {
    return Stack.list(stack.get("/gpu-devices?hostId=" + h1 + "&state=Free")).stream()
        .filter(d -> d.path("type").asText().equals(type)).findFirst().orElseThrow();
  }

  /**
   * Makes an instance hold a device the way a deploy leaves it (Allocated, owner set). The Deploy
   * workflow that does this for real comes with the instances API; here only the refusals matter.
   */
  static String holdDevice(String deviceId) throws Exception {
    String instanceId = UUID.randomUUID().toString();
    try (Connection c = stack.db()) {
      String account;
      try (var rs = c.createStatement().executeQuery("SELECT account_id FROM users WHERE role = 'Admin' LIMIT 1")) {
        rs.next();
        account = rs.getString(1);
      }
      try (PreparedStatement ps = c.prepareStatement(
          "INSERT INTO instances (id, name, vm_name, account_id, state, host_id) VALUES (?, 'held', ?, ?, 'Running', ?)")) {
        ps.setString(1, instanceId);
        ps.setString(2, "i-" + instanceId.substring(0, 8));
        ps.setString(3, account);
        ps.setString(4, h1);
        ps.executeUpdate();
      }
      try (PreparedStatement ps = c.prepareStatement(
          "UPDATE gpu_devices SET state = 'Allocated', instance_id = ? WHERE id = ? AND state = 'Free'")) {
        ps.setString(1, instanceId);
        ps.setString(2, deviceId);
        assertThat(ps.executeUpdate()).isEqualTo(1);
      }
    }
    return instanceId;
  }

  static void release(String deviceId, String instanceId) throws Exception {
    try (Connection c = stack.db()) {
      try (PreparedStatement ps = c.prepareStatement(
          "UPDATE gpu_devices SET state = 'Free', instance_id = NULL WHERE id = ?")) {
        ps.setString(1, deviceId);
        ps.executeUpdate();
      }
      try (PreparedStatement ps = c.prepareStatement("DELETE FROM instances WHERE id = ?")) {
        ps.setString(1, instanceId);
        ps.executeUpdate();
      }
    }
  }

  @Test
  void manageUnmanageUpdateAndDeleteAreRefusedWhileAllocated() throws Exception {
    JsonNode dev = firstFree("PCI");
    String id = dev.path("id").asText();
    String instance = holdDevice(id);
    try {
      for (String[] call : List.of(new String[] {"POST", "/gpu-devices/" + id + "/unmanage"},
          new String[] {"POST", "/gpu-devices/" + id + "/manage"}, new String[] {"DELETE", "/gpu-devices/" + id})) {
        Stack.Response r = stack.admin(call[0], call[1], null);
        assertThat(r.status()).as(call[0] + " " + call[1] + " " + r.raw()).isEqualTo(409);
        assertThat(r.body().path("code").asInt()).isEqualTo(409);
        assertThat(r.body().path("message").asText()).isNotBlank();
      }
      Stack.Response upd = stack.admin("PUT", "/gpu-devices/" + id, Map.of("numaNode", 1));
      assertThat(upd.status()).as(upd.raw()).isEqualTo(409);
      JsonNode after = stack.get("/gpu-devices/" + id);
      assertThat(after.path("state").asText()).isEqualTo("Allocated");
      assertThat(after.path("managedState").asText()).isEqualTo("Managed");
      assertThat(after.path("instanceId").asText()).isEqualTo(instance);
      // the card and its profile are in use: neither can be deleted
      assertThat(stack.admin("DELETE", "/gpu-cards/" + dev.path("cardId").asText(), null).status()).isEqualTo(409);
      assertThat(stack.admin("DELETE", "/vgpu-profiles/" + dev.path("profileId").asText(), null).status())
          .isEqualTo(409);
    } finally {
      release(id, instance);
    }
    // once free again, unmanage and manage work
    assertThat(stack.admin("POST", "/gpu-devices/" + id + "/unmanage", null).status()).isEqualTo(200);
    assertThat(stack.get("/gpu-devices/" + id).path("managedState").asText()).isEqualTo("Unmanaged");
    assertThat(stack.admin("POST", "/gpu-devices/" + id + "/manage", null).status()).isEqualTo(200);
    assertThat(stack.get("/gpu-devices/" + id).path("managedState").asText()).isEqualTo("Managed");
  }

  @Test
  void manualDeviceCanBeAddedOnceAndDeleted() {
    JsonNode basic = firstFree("PCI");
    Map<String, Object> body = Map.of("hostId", h1, "busAddress", "0a:1f.0", "cardId", basic.path("cardId").asText(),
        "profileId", basic.path("profileId").asText(), "type", "PCI", "numaNode", 0);
    Stack.Response created = stack.admin("POST", "/gpu-devices", body);
    assertThat(created.status()).as(created.raw()).isEqualTo(201);
    assertThat(created.body().path("busAddress").asText()).isEqualTo("0000:0a:1f.0");
    assertThat(created.body().path("state").asText()).isEqualTo("Free");
    Stack.Response dup = stack.admin("POST", "/gpu-devices", body);
    assertThat(dup.status()).isEqualTo(409);
    Stack.Response bad = stack.admin("POST", "/gpu-devices", Map.of("hostId", h1, "busAddress", "zz:zz",
        "cardId", basic.path("cardId").asText(), "type", "PCI"));
    assertThat(bad.status()).isEqualTo(400);
    assertThat(bad.body().path("message").asText()).contains("busAddress");
    String id = created.body().path("id").asText();
    assertThat(stack.admin("DELETE", "/gpu-devices/" + id, null).status()).isEqualTo(204);
    assertThat(stack.admin("GET", "/gpu-devices/" + id, null).status()).isEqualTo(404);
  }

  @Test
  void cardsValidateTheirIdsAndComeWithAPassthroughProfile() {
    Stack.Response bad = stack.admin("POST", "/gpu-cards", Map.of("vendorId", "10de", "deviceId", "xyz",
        "vendorName", "NVIDIA", "deviceName", "L40S"));
    assertThat(bad.status()).isEqualTo(400);
    assertThat(bad.body().path("message").asText()).contains("deviceId");
    Stack.Response malformed = stack.admin("POST", "/gpu-cards", "{\"vendorId\": ");
    assertThat(malformed.status()).isEqualTo(400);
    assertThat(malformed.body().path("code").asInt()).isEqualTo(400);

    Map<String, Object> l40s = Map.of("vendorId", "10DE", "deviceId", "26b9", "vendorName", "NVIDIA Corporation",
        "deviceName", "L40S", "name", "NVIDIA L40S");
    Stack.Response created = stack.admin("POST", "/gpu-cards", l40s);
    assertThat(created.status()).as(created.raw()).isEqualTo(201);
    assertThat(created.body().path("vendorId").asText()).isEqualTo("10de");
    String cardId = created.body().path("id").asText();
    assertThat(stack.admin("POST", "/gpu-cards", l40s).status()).isEqualTo(409);
    List<JsonNode> profiles = Stack.list(stack.get("/vgpu-profiles?cardId=" + cardId));
    assertThat(profiles).extracting(p -> p.path("name").asText()).containsExactly("passthrough");
    Stack.Response profile = stack.admin("POST", "/vgpu-profiles", Map.of("cardId", cardId, "name", "L40S-12Q",
        "videoRamMb", 12288, "maxHeads", 4, "maxResolutionX", 7680, "maxResolutionY", 4320, "maxVgpusPerGpu", 4));
    assertThat(profile.status()).as(profile.raw()).isEqualTo(201);
    assertThat(stack.admin("POST", "/vgpu-profiles", Map.of("cardId", cardId, "name", "L40S-12Q",
        "videoRamMb", 12288, "maxHeads", 4, "maxVgpusPerGpu", 4)).status()).isEqualTo(409);
    // unused: both can go
    assertThat(stack.admin("DELETE", "/vgpu-profiles/" + profile.body().path("id").asText(), null).status())
        .isEqualTo(204);
    assertThat(stack.admin("DELETE", "/gpu-cards/" + cardId, null).status()).isEqualTo(204);
  }

  @Test
  void unauthenticatedAndNonAdminCallsAreRefused() {
    Stack.Response none = stack.call("GET", "/gpu-cards", null, null);
    assertThat(none.status()).isEqualTo(401);
    assertThat(none.body().path("code").asInt()).isEqualTo(401);
    assertThat(none.body().path("message").asText()).isNotBlank();
    assertThat(stack.call("GET", "/hosts", null, "gck_not-a-real-key").status()).isEqualTo(401);

    Stack.Response user = stack.admin("POST", "/users", Map.of("name", "tenant-" + UUID.randomUUID(), "role", "User"));
    assertThat(user.status()).as(user.raw()).isEqualTo(201);
    Stack.Response key = stack.admin("POST", "/users/" + user.body().path("id").asText() + "/keys", null);
    assertThat(key.status()).as(key.raw()).isEqualTo(201);
    String userKey = key.body().path("key").asText();
    // a tenant may list GPU devices, but only those of its own instances: none here
    Stack.Response own = stack.call("GET", "/gpu-devices", null, userKey);
    assertThat(own.status()).isEqualTo(200);
    assertThat(Stack.list(own.body())).isEmpty();
    for (String path : List.of("/gpu-cards", "/hosts", "/gpu-devices/" + UUID.randomUUID(), "/vgpu-profiles",
        "/workflows/x")) {
      Stack.Response r = stack.call("GET", path, null, userKey);
      assertThat(r.status()).as(path).isEqualTo(403);
      assertThat(r.body().path("code").asInt()).isEqualTo(403);
    }
    Stack.Response discover = stack.call("POST", "/hosts/" + h1 + "/discover", null, userKey);
    assertThat(discover.status()).isEqualTo(403);
  }

  @Test
  void usersCanBePromotedAndDeletedAndKeysRevoked() {
    Stack.Response user = stack.admin("POST", "/users", Map.of("name", "ops-" + UUID.randomUUID(), "role", "User"));
    String id = user.body().path("id").asText();
    JsonNode k1 = stack.admin("POST", "/users/" + id + "/keys", null).body();
    JsonNode k2 = stack.admin("POST", "/users/" + id + "/keys", null).body();
    assertThat(stack.call("GET", "/hosts", null, k1.path("key").asText()).status()).isEqualTo(403);
    Stack.Response promoted = stack.admin("PUT", "/users/" + id, Map.of("role", "Admin"));
    assertThat(promoted.status()).as(promoted.raw()).isEqualTo(200);
    assertThat(stack.call("GET", "/hosts", null, k1.path("key").asText()).status()).isEqualTo(200);
    // a revoked key stops working at once; the other one does not
    assertThat(stack.admin("DELETE", "/users/" + id + "/keys/" + k1.path("id").asText(), null).status()).isEqualTo(204);
    assertThat(stack.call("GET", "/hosts", null, k1.path("key").asText()).status()).isEqualTo(401);
    assertThat(stack.call("GET", "/hosts", null, k2.path("key").asText()).status()).isEqualTo(200);
    // nobody deletes itself; deleting the user kills its keys
    assertThat(stack.call("DELETE", "/users/" + id, null, k2.path("key").asText()).status()).isEqualTo(409);
    assertThat(stack.admin("DELETE", "/users/" + id, null).status()).isEqualTo(204);
    assertThat(stack.call("GET", "/hosts", null, k2.path("key").asText()).status()).isEqualTo(401);
    assertThat(stack.admin("GET", "/users/" + id, null).status()).isEqualTo(404);
  }

  @Test
  void apiKeysAreStoredOnlyAsHashes() throws Exception {
    String sha256 = java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
        .digest(stack.adminKey.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    try (Connection c = stack.db(); var rs = c.createStatement().executeQuery("SELECT key_hash FROM api_keys")) {
      int matches = 0;
      while (rs.next()) {
        assertThat(rs.getString(1)).doesNotContain(stack.adminKey.substring(4, 20));
        matches += rs.getString(1).equals(sha256) ? 1 : 0;
      }
      assertThat(matches).as("the admin key is found by its SHA-256 only").isEqualTo(1);
    }
  }
}
