package io.gpucloud.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.gpucloud.activities.instance.AssignedDevice;
import io.gpucloud.activities.instance.Reservation;
import io.gpucloud.controlplane.instance.InstanceActivitiesImpl;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.sqlobject.SqlObjectPlugin;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.mariadb.jdbc.MariaDbPoolDataSource;

/**
 * Real server shapes through the real agent of the test-only host S1 (its discovery hook replaced, as an
 * operator would replace it) and the real control plane: CloudStack 4.21's script output on a host with NVIDIA
 * vGPU on SR-IOV, and our gpudiscovery.sh on a sysfs tree with an ASPEED BMC display next to two A100s. Then
 * the placement activity, run against the stack's own database until the host is full, never hands out a VF
 * that carries a vGPU, nor the BMC display.
 *
 * <p>It leaves the stack as it found it: S1's own hook back, the fixtures' devices, cards and profiles deleted
 * (other tests create an L40S card of their own).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DiscoveryShapesTest {
  static final String HOST = "S1";
  static final Path FIXTURES = Stack.REPO.resolve("agent-worker/src/test/resources/discovery/cloudstack");
  static final Path OUR_SCRIPT = Stack.REPO.resolve("agent-worker/hooks/gpudiscovery.sh");
  static final String USED_VGPU = "3f1c9a52-6b0e-4d7a-9c3e-5a2b8f0d4e61";
  /** L40S, A100, ASPEED, MI210: the cards the fixtures bring, removed afterwards unless they were there before. */
  static final List<String[]> FIXTURE_CARDS = List.of(new String[] {"10de", "26b9"}, new String[] {"10de", "20b5"},
      new String[] {"1a03", "2000"}, new String[] {"1002", "740f"});

  static Stack stack;
  static String hostId;
  static Path hook;
  static String originalHook;
  static Set<String> cardsBefore;
  static MariaDbPoolDataSource ds;
  static InstanceActivitiesImpl placement;
  static String account;
  static final List<String> instances = new ArrayList<>();

  @BeforeAll
  static void up() throws Exception {
    stack = Stack.get();
    Stack.await("S1 discovered", Duration.ofMinutes(2), () -> host() != null
        && host().path("lastDiscoveryAt").isTextual() && host().path("gpuTotal").asInt() > 0);
    hostId = host().path("id").asText();
    hook = stack.hookOf(HOST);
    originalHook = Files.readString(hook);
    cardsBefore = Stack.list(stack.get("/gpu-cards")).stream()
        .map(c -> c.path("vendorId").asText() + ":" + c.path("deviceId").asText()).collect(Collectors.toSet());
    ds = new MariaDbPoolDataSource("jdbc:mariadb://127.0.0.1:" + stack.dbPort
        + "/gpucloud?user=gpucloud&password=" + stack.dbPassword() + "&transactionIsolation=READ-COMMITTED&maxPoolSize=4");
    placement = new InstanceActivitiesImpl(Jdbi.create(ds).installPlugin(new SqlObjectPlugin()));
    account = Tenants.tenant(stack, "shapes", Tenants.unlimited()).accountId();
  }

  @AfterAll
  static void down() throws Exception {
    if (stack == null || hook == null) {
      return;
    }
    releaseAll();
    writeHook(originalHook);
    assertThat(discover().path("status").asText()).isEqualTo("COMPLETED");
    removeFixtureDevicesAndCards();
    assertThat(devices().keySet()).containsExactly("0000:10:00.0");
    ds.close();
  }

  // ---- helpers ------------------------------------------------------------------------------------------

  static JsonNode host() {
    return Stack.list(stack.get("/hosts")).stream().filter(h -> h.path("name").asText().equals(HOST)).findFirst()
        .orElse(null);
  }

  static void writeHook(String script) throws IOException {
    Files.writeString(hook, script);
    Files.setPosixFilePermissions(hook, PosixFilePermissions.fromString("rwxr-xr-x"));
  }

  static JsonNode discover() {
    Stack.Response r = stack.admin("POST", "/hosts/" + hostId + "/discover", null);
    assertThat(r.status()).as(r.raw()).isEqualTo(202);
    return stack.awaitWorkflow(r.body().path("workflowId").asText(), Duration.ofSeconds(60));
  }

  /** S1's devices by bus address. */
  static Map<String, JsonNode> devices() {
    return Stack.list(stack.get("/gpu-devices?hostId=" + hostId)).stream()
        .collect(Collectors.toMap(d -> d.path("busAddress").asText(), Function.identity()));
  }

  static List<JsonNode> events() {
    return Stack.list(stack.get("/hosts/" + hostId + "/events?limit=20"));
  }

  static String profileId(String vendorId, String deviceId, String profile) {
    JsonNode card = Stack.list(stack.get("/gpu-cards")).stream()
        .filter(c -> c.path("vendorId").asText().equals(vendorId) && c.path("deviceId").asText().equals(deviceId))
        .findFirst().orElse(null);
    if (card == null) {
      return null;
    }
    return Stack.list(stack.get("/vgpu-profiles?cardId=" + card.path("id").asText())).stream()
        .filter(p -> p.path("name").asText().equals(profile)).findFirst().map(p -> p.path("id").asText()).orElse(null);
  }

  static String instance(String profileId, String numaPolicy) throws SQLException {
    String id = UUID.randomUUID().toString();
    try (Connection c = ds.getConnection(); PreparedStatement s = c.prepareStatement("INSERT INTO instances (id, name,"
        + " vm_name, account_id, state, vgpu_profile_id, gpu_count, cpu_cores, cpu_mhz, memory_mb, numa_policy) VALUES"
        + " (?, 'shape', ?, ?, 'Creating', ?, 1, 1, 100, 128, ?)")) {
      s.setString(1, id);
      s.setString(2, "i-shape-" + id.substring(0, 8));
      s.setString(3, account);
      s.setString(4, profileId);
      s.setString(5, numaPolicy);
      s.executeUpdate();
    }
    instances.add(id);
    return id;
  }

  /** Gives back what the placements took and removes their instances. */
  static void releaseAll() throws SQLException {
    try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
      for (String id : instances) {
        placement.release(id, null);
        s.execute("DELETE FROM instances WHERE id = '" + id + "'");
      }
    }
    instances.clear();
  }

  static List<AssignedDevice> placeUntilFull(String profileId) throws SQLException {
    return placeUntilFull(profileId, "preferred");
  }

  /** Places one-GPU instances of the profile until placement finds no device any more; what it handed out. */
  static List<AssignedDevice> placeUntilFull(String profileId, String numaPolicy) throws SQLException {
    List<AssignedDevice> given = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      Reservation r = placement.reserve(instance(profileId, numaPolicy), List.of());
      if (!r.reserved()) {
        return given;
      }
      assertThat(r.hostId()).isEqualTo(hostId);
      given.addAll(r.spec().devices());
    }
    throw new AssertionError("placement never ran out");
  }

  static void removeFixtureDevicesAndCards() throws SQLException {
    try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
      List<String> cardIds = new ArrayList<>();
      for (String[] card : FIXTURE_CARDS) {
        if (cardsBefore.contains(card[0] + ":" + card[1])) {
          continue;
        }
        try (ResultSet rs = s.executeQuery("SELECT id FROM gpu_cards WHERE vendor_id = '" + card[0]
            + "' AND device_id = '" + card[1] + "'")) {
          if (rs.next()) {
            cardIds.add(rs.getString(1));
          }
        }
      }
      if (cardIds.isEmpty()) {
        return;
      }
      String in = cardIds.stream().map(id -> "'" + id + "'").collect(Collectors.joining(","));
      // children before their parents (mdevs, then VFs, then GPUs)
      for (int pass = 0; pass < 4; pass++) {
        s.execute("DELETE d FROM gpu_devices d LEFT JOIN gpu_devices child ON child.parent_device_id = d.id"
            + " WHERE d.host_id = '" + hostId + "' AND d.card_id IN (" + in + ") AND child.id IS NULL");
      }
      s.execute("DELETE FROM vgpu_profiles WHERE card_id IN (" + in + ")");
      s.execute("DELETE FROM gpu_cards WHERE id IN (" + in + ")");
    }
  }

  // ---- NVIDIA vGPU on SR-IOV, as CloudStack's script prints it --------------------------------------------

  @Test
  @Order(1)
  void cloudstackL40sOutputNeverGivesAVfThatCarriesAVgpu() throws Exception {
    writeHook("#!/bin/sh\ncat '" + FIXTURES.resolve("l40s-vgpu-on-vfs.json") + "'\n");
    JsonNode wf = discover();
    assertThat(wf.path("status").asText()).as(wf.toString()).isEqualTo("COMPLETED");

    Map<String, JsonNode> d = devices();
    List<JsonNode> vfs = d.values().stream().filter(x -> x.path("busAddress").asText().matches("0000:[46]1:0[0-4]\\.[0-7]")
        && !x.path("busAddress").asText().endsWith(":00.0")).toList();
    assertThat(vfs).hasSize(64).allSatisfy(vf -> {
      assertThat(vf.path("type").asText()).as("a vGPU vehicle, never a PCI device").isEqualTo("VGPU_ONLY");
      assertThat(vf.path("profileId").isNull()).isTrue();
    });
    assertThat(d.get("0000:41:00.0").path("type").asText()).isEqualTo("VGPU_ONLY");
    JsonNode used = d.get(USED_VGPU);
    assertThat(used.path("type").asText()).isEqualTo("MDEV");
    assertThat(used.path("parentDeviceId").asText()).isEqualTo(d.get("0000:41:00.4").path("id").asText());
    assertThat(used.path("state").asText()).isEqualTo("Error");
    assertThat(used.path("errorReason").asText()).contains("i-2-41-VM");
    // the host counts what can be given: the four vGPUs, not 64 VFs
    assertThat(host().path("gpuTotal").asInt()).isEqualTo(4 + 1 /* S1's own, now missing */);

    List<JsonNode> events = events();
    assertThat(events.get(0).path("type").asText()).isIn("DISCOVERY_OK", "DEVICE_ERROR");
    assertThat(events.stream().filter(e -> e.path("type").asText().equals("DEVICE_ERROR")).findFirst().orElseThrow()
        .path("message").asText()).contains(USED_VGPU + ": in use by unknown VM 'i-2-41-VM'");
    // the same output again: the text says nothing changed, and no fresh DEVICE_ERROR
    long errorsBefore = events().stream().filter(e -> e.path("type").asText().equals("DEVICE_ERROR")).count();
    assertThat(discover().path("status").asText()).isEqualTo("COMPLETED");
    List<JsonNode> again = events();
    assertThat(again.get(0).path("type").asText()).isEqualTo("DISCOVERY_OK");
    assertThat(again.get(0).path("message").asText()).isEqualTo("reported 70 devices: no change");
    assertThat(again.stream().filter(e -> e.path("type").asText().equals("DEVICE_ERROR")).count()).isEqualTo(errorsBefore);

    // placement, until S1 has nothing left: the free vGPUs only, each on its own VF, never a VF
    List<AssignedDevice> q12 = placeUntilFull(profileId("10de", "26b9", "NVIDIA L40S-12Q"));
    List<AssignedDevice> q24 = placeUntilFull(profileId("10de", "26b9", "NVIDIA L40S-24Q"));
    assertThat(q12).extracting(AssignedDevice::busAddress).containsExactly("7a04e6b3-2c91-4f58-8d2e-0b6c3a9f1e72");
    assertThat(q24).extracting(AssignedDevice::busAddress).containsExactlyInAnyOrder(
        "c2d8f1a4-9e37-4b06-a5c1-7f3e2d9b8a03", "e95b0c7d-4a12-4e8f-b6d3-1c0a7e5f2b94");
    assertThat(q12).extracting(AssignedDevice::parentBusAddress).containsExactly("0000:41:00.5");
    assertThat(q24).extracting(AssignedDevice::parentBusAddress).containsExactlyInAnyOrder("0000:61:00.4", "0000:61:00.5");
    assertThat(placeUntilFull(profileId("10de", "26b9", "passthrough"))).isEmpty();
    Set<String> given = new HashSet<>();
    q12.forEach(a -> given.add(a.busAddress()));
    q24.forEach(a -> given.add(a.busAddress()));
    assertThat(given).noneMatch(a -> a.startsWith("0000:")).doesNotContain(USED_VGPU);
    releaseAll();
  }

  // ---- a BMC display, through our own script ---------------------------------------------------------------

  /** An ASPEED BMC display (boot VGA, driver ast) next to two A100s, as sysfs lays them out. */
  static Path bmcTree() throws IOException {
    Path root = stack.dataDir.resolve("sysfs-bmc");
    SysfsWriter t = new SysfsWriter(root);
    Path ast = t.device("pci0000:00/0000:00:1c.0/0000:02:00.0", "0000:03:00.0", "0x030000", "1a03", "2000");
    t.driver(ast, "ast");
    t.attribute(ast, "boot_vga", "1");
    Path a = t.device("pci0000:16/0000:16:01.0", "0000:17:00.0", "0x030200", "10de", "20b5");
    t.driver(a, "vfio-pci");
    t.attribute(a, "numa_node", "0");
    Path b = t.device("pci0000:ca/0000:ca:01.0", "0000:cb:00.0", "0x030200", "10de", "20b5");
    t.driver(b, "vfio-pci");
    t.attribute(b, "numa_node", "1");
    return root;
  }

  @Test
  @Order(2)
  void theBmcDisplayAnOldScriptOfferedIsNeverGivenOut() throws Exception {
    // what an earlier script made of this host: the ASPEED as a Free passthrough GPU
    String aspeedCard = UUID.randomUUID().toString();
    String aspeedProfile = UUID.randomUUID().toString();
    try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
      s.execute("INSERT INTO gpu_cards (id, vendor_id, device_id, vendor_name, device_name, name) VALUES ('"
          + aspeedCard + "', '1a03', '2000', 'ASPEED Technology, Inc.', 'ASPEED Graphics Family', 'ASPEED Graphics Family')");
      s.execute("INSERT INTO vgpu_profiles (id, card_id, name) VALUES ('" + aspeedProfile + "', '" + aspeedCard
          + "', 'passthrough')");
      s.execute("INSERT INTO gpu_devices (id, host_id, bus_address, type, card_id, profile_id, numa_node, driver)"
          + " VALUES ('" + UUID.randomUUID() + "', '" + hostId + "', '0000:03:00.0', 'PCI', '" + aspeedCard + "', '"
          + aspeedProfile + "', -1, 'ast')");
    }
    writeHook("#!/bin/sh\nexec bash '" + OUR_SCRIPT + "' --root '" + bmcTree() + "' \"$@\"\n");
    JsonNode wf = discover();
    assertThat(wf.path("status").asText()).as(wf.toString()).isEqualTo("COMPLETED");

    Map<String, JsonNode> d = devices();
    assertThat(d.get("0000:17:00.0").path("state").asText()).isEqualTo("Free");
    assertThat(d.get("0000:cb:00.0").path("state").asText()).isEqualTo("Free");
    assertThat(d.get("0000:17:00.0").path("profileName").asText()).isEqualTo("passthrough");
    JsonNode aspeed = d.get("0000:03:00.0");
    assertThat(aspeed.path("state").asText()).isEqualTo("Error");
    assertThat(aspeed.path("errorReason").asText()).startsWith("missing from discovery");
    // the L40S devices of the previous shape are gone from the output: Error, never deleted, never Free
    assertThat(d.get("0000:41:00.0").path("state").asText()).isEqualTo("Error");
    assertThat(d.get("7a04e6b3-2c91-4f58-8d2e-0b6c3a9f1e72").path("state").asText()).isEqualTo("Error");

    assertThat(placeUntilFull(aspeedProfile)).as("the BMC display").isEmpty();
    List<AssignedDevice> a100 = placeUntilFull(profileId("10de", "20b5", "passthrough"));
    assertThat(a100).extracting(AssignedDevice::busAddress).containsExactlyInAnyOrder("0000:17:00.0", "0000:cb:00.0");
    assertThat(placeUntilFull(profileId("10de", "26b9", "NVIDIA L40S-24Q"))).as("gone from the output").isEmpty();
    releaseAll();
  }

  // ---- VFs without a profile name, unknown values ---------------------------------------------------------

  @Test
  @Order(3)
  void unnamedVfsGetAProfileThatAnOperatorCanRename() throws Exception {
    writeHook("#!/bin/sh\ncat '" + FIXTURES.resolve("mi210-sriov.json") + "'\n");
    assertThat(discover().path("status").asText()).isEqualTo("COMPLETED");
    Map<String, JsonNode> d = devices();
    for (String vf : List.of("0000:c3:02.0", "0000:c3:02.1", "0000:c3:02.2", "0000:c3:02.3")) {
      assertThat(d.get(vf).path("type").asText()).isEqualTo("PCI");
      assertThat(d.get(vf).path("profileName").asText()).isEqualTo("vf-1of4");
      assertThat(d.get(vf).path("parentDeviceId").asText()).isEqualTo(d.get("0000:c3:00.0").path("id").asText());
      assertThat(d.get(vf).path("driver").isNull()).as("its own driver, unknown; not the GPU's gim").isTrue();
    }
    assertThat(d.get("0000:c3:02.1").path("state").asText()).isEqualTo("Error"); // used by a VM we do not know

    String profile = profileId("1002", "740f", "vf-1of4");
    Stack.Response renamed = stack.admin("PUT", "/vgpu-profiles/" + profile, Map.of("name", "MI210 quarter"));
    assertThat(renamed.status()).as(renamed.raw()).isEqualTo(200);
    assertThat(discover().path("status").asText()).isEqualTo("COMPLETED");
    assertThat(devices().get("0000:c3:02.0").path("profileName").asText()).isEqualTo("MI210 quarter");
    assertThat(profileId("1002", "740f", "vf-1of4")).as("not made again").isNull();
    assertThat(events().get(0).path("message").asText()).isEqualTo("reported 5 devices: no change");

    List<AssignedDevice> given = placeUntilFull(profile);
    assertThat(given).extracting(AssignedDevice::busAddress)
        .containsExactlyInAnyOrder("0000:c3:02.0", "0000:c3:02.2", "0000:c3:02.3");
    releaseAll();
  }

  @Test
  @Order(4)
  void unknownValuesAreStoredAsUnknownAndAnUnknownNumaNodeGivesNoNumaGuarantee() throws Exception {
    writeHook("#!/bin/sh\ncat '" + FIXTURES.resolve("domain1-garbled.json") + "'\n");
    assertThat(discover().path("status").asText()).isEqualTo("COMPLETED");
    JsonNode dom1 = devices().get("0001:81:00.0");
    assertThat(dom1.path("state").asText()).isEqualTo("Free");
    assertThat(dom1.path("numaNode").asInt()).isEqualTo(-1);
    assertThat(dom1.path("pciRoot").isNull()).isTrue();
    assertThat(dom1.path("iommuGroup").isNull()).isTrue();
    assertThat(dom1.path("driver").isNull()).isTrue();
    JsonNode warning = events().stream().filter(e -> e.path("type").asText().equals("DISCOVERY_WARNING")).findFirst()
        .orElseThrow();
    assertThat(warning.path("level").asText()).isEqualTo("WARN");
    assertThat(warning.path("message").asText()).contains("gpus[1].full_passthrough.libvirt_address.slot")
        .contains("gpus[1].pci_root: \"0000:0001:81:00.0\" is not a PCI address");
    // the same warnings again are not recorded again
    assertThat(discover().path("status").asText()).isEqualTo("COMPLETED");
    assertThat(events().stream().filter(e -> e.path("type").asText().equals("DISCOVERY_WARNING")).findFirst()
        .orElseThrow().path("id").asLong()).isEqualTo(warning.path("id").asLong());

    String a100 = profileId("10de", "20b5", "passthrough");
    assertThat(placeUntilFull(a100, "required")).extracting(AssignedDevice::busAddress).containsExactly("0000:17:00.0");
    assertThat(placeUntilFull(a100, "preferred")).extracting(AssignedDevice::busAddress).containsExactly("0001:81:00.0");
    releaseAll();
  }

  /** Plain directories, files and relative symlinks shaped like sysfs (see the agent's SysfsTree). */
  static final class SysfsWriter {
    final Path root;

    SysfsWriter(Path root) throws IOException {
      this.root = root;
      Files.createDirectories(root.resolve("sys/bus/pci/devices"));
    }

    Path device(String parents, String addr, String cls, String vendor, String device) throws IOException {
      Path dir = Files.createDirectories(root.resolve("sys/devices").resolve(parents).resolve(addr));
      attribute(dir, "class", cls);
      attribute(dir, "vendor", "0x" + vendor);
      attribute(dir, "device", "0x" + device);
      link(root.resolve("sys/bus/pci/devices").resolve(addr), dir);
      return dir;
    }

    void driver(Path dev, String name) throws IOException {
      link(dev.resolve("driver"), Files.createDirectories(root.resolve("sys/bus/pci/drivers").resolve(name)));
    }

    void attribute(Path dev, String name, String value) throws IOException {
      Files.writeString(dev.resolve(name), value + "\n", StandardCharsets.UTF_8);
    }

    static void link(Path link, Path target) throws IOException {
      Files.createDirectories(link.getParent());
      Files.deleteIfExists(link);
      Files.createSymbolicLink(link, link.getParent().relativize(target));
    }
  }
}
