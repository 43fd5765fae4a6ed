package io.gpucloud.service.inventory;

import static io.gpucloud.service.ApiAssertions.fails;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.gpucloud.activities.model.GpuCard;
import io.gpucloud.service.TestDatabase;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.sqlobject.SqlObjectPlugin;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The inventory services against a real MariaDB: the test database of {@link TestDatabase} (it fails
 * without one; {@code make test} and {@code make unit} start one).
 */
class InventoryDatabaseTest {
  private static Jdbi jdbi;
  private static final ObjectMapper JSON = new ObjectMapper();

  @BeforeAll
  static void setUp() {
    jdbi = TestDatabase.jdbi();
    jdbi.installPlugin(new SqlObjectPlugin()); // twice is harmless, as InventoryResources does
  }

  private static String hex4() {
    return String.format(Locale.ROOT, "%04x", ThreadLocalRandom.current().nextInt(0x10000));
  }

  private static String newHost(String state, String resourceState) {
    String id = UUID.randomUUID().toString();
    jdbi.useHandle(h -> h.execute(
        "INSERT INTO hosts (id, name, hypervisor_uri, cpu_cores, cpu_mhz, memory_mb, numa_nodes, state, resource_state)"
            + " VALUES (?, ?, 'test:///default', 8, 2000, 16384, 2, ?, ?)",
        id, "h-" + id.substring(0, 8), state, resourceState));
    return id;
  }

  private static String passthroughOf(String cardId) {
    return new ProfileService(jdbi).list(cardId, "passthrough").get(0).id();
  }

  private static void hold(String deviceId, String state) {
    String account = jdbi.withHandle(h -> {
      String domain = UUID.randomUUID().toString();
      h.execute("INSERT INTO domains (id, name, path) VALUES (?, ?, ?)", domain, domain, "/" + domain + "/");
      String acc = UUID.randomUUID().toString();
      h.execute("INSERT INTO accounts (id, name, domain_id) VALUES (?, 'a', ?)", acc, domain);
      return acc;
    });
    String instance = UUID.randomUUID().toString();
    jdbi.useHandle(h -> {
      h.execute("INSERT INTO instances (id, name, vm_name, account_id, state) VALUES (?, 'vm', ?, ?, 'Running')",
          instance, "i-" + instance, account);
      h.execute("UPDATE gpu_devices SET state = ?, instance_id = ? WHERE id = ?", state, instance, deviceId);
    });
  }

  @Test
  void cardsAndProfiles() {
    CardService cards = new CardService(jdbi);
    ProfileService profiles = new ProfileService(jdbi);
    String v = hex4();
    GpuCard card = cards.create(new CardRequest(v.toUpperCase(), "26B9", "NVIDIA Corporation", "L40S", null));
    assertThat(card.vendorId()).isEqualTo(v);
    assertThat(card.deviceId()).isEqualTo("26b9");
    assertThat(card.name()).isEqualTo("L40S");
    assertThat(card.createdAt()).isNotNull();
    fails(409, v + ":26b9", () -> cards.create(new CardRequest(v, "26b9", "x", "y", null)));

    List<ProfileView> ps = profiles.list(card.id(), null);
    assertThat(ps).extracting(ProfileView::name).containsExactly("passthrough");
    assertThat(ps.get(0).videoRamMb()).isZero();
    assertThat(ps.get(0).maxHeads()).isEqualTo(1);
    assertThat(ps.get(0).maxVgpusPerGpu()).isEqualTo(1);
    assertThat(ps.get(0).cardName()).isEqualTo("L40S");

    assertThat(cards.list(v, null, null)).extracting(GpuCard::id).containsExactly(card.id());
    assertThat(cards.list(null, null, "L40")).extracting(GpuCard::id).contains(card.id());
    assertThat(cards.list(null, null, "L%0")).extracting(GpuCard::id).doesNotContain(card.id());

    GpuCard renamed = cards.update(card.id(), new CardRequest(v, null, null, null, "NVIDIA L40S"));
    assertThat(renamed.name()).isEqualTo("NVIDIA L40S");
    assertThat(renamed.deviceName()).isEqualTo("L40S");
    fails(400, "vendorId is immutable", () -> cards.update(card.id(), new CardRequest("ffff", null, null, null, null)));
    fails(404, "nope", () -> cards.get("nope"));

    ProfileView q = profiles.create(new ProfileRequest(card.id(), "L40S-12Q", "12 GB", 12288L, 4, 7680, 4320, 4));
    assertThat(q.maxVgpusPerGpu()).isEqualTo(4);
    fails(409, "L40S-12Q", () -> profiles.create(new ProfileRequest(card.id(), "L40S-12Q", null, null, null, null, null, null)));
    fails(400, "cardId", () -> profiles.create(new ProfileRequest(UUID.randomUUID().toString(), "x", null, null, null, null, null, null)));
    ProfileView q2 = profiles.update(q.id(), new ProfileRequest(null, "L40S-24Q", null, 24576L, null, null, null, 2));
    assertThat(q2.name()).isEqualTo("L40S-24Q");
    assertThat(q2.maxHeads()).isEqualTo(4);
    assertThat(q2.description()).isEqualTo("12 GB");
    String pt = ps.get(0).id();
    fails(400, "passthrough profile cannot be renamed", () -> profiles.update(pt, new ProfileRequest(null, "x", null, null, null, null, null, null)));
    fails(409, "already exists", () -> profiles.update(q.id(), new ProfileRequest(null, "passthrough", null, null, null, null, null, null)));
    assertThat(profiles.update(pt, new ProfileRequest(null, null, "whole GPU", null, null, null, null, null)).description())
        .isEqualTo("whole GPU");
    fails(409, "passthrough profile", () -> profiles.delete(pt));
    profiles.delete(q.id());
    fails(404, q.id(), () -> profiles.get(q.id()));
    fails(404, q.id(), () -> profiles.delete(q.id()));

    cards.delete(card.id());
    fails(404, card.id(), () -> cards.get(card.id()));
    assertThat(profiles.list(card.id(), null)).isEmpty();
  }

  @Test
  void devicesHostsAndSummary() throws Exception {
    CardService cards = new CardService(jdbi);
    ProfileService profiles = new ProfileService(jdbi);
    DeviceService devices = new DeviceService(jdbi);
    HostService hosts = new HostService(jdbi, null, (c, name) -> "discover-" + name + "-x");
    String host = newHost("Up", "Enabled");
    String other = newHost("Up", "Maintenance");
    GpuCard card = cards.create(new CardRequest(hex4(), "0001", "ACS", "ACS Simulated Graphics Card Pro", null));
    GpuCard card2 = cards.create(new CardRequest(hex4(), "0002", "ACS", "ACS Simulated Graphics Card Basic", null));
    String pt = passthroughOf(card.id());
    String pt2 = passthroughOf(card2.id());
    ProfileView q8 = profiles.create(new ProfileRequest(card.id(), "sim-8q", null, 8192L, 4, 4096, 2160, 2));

    DeviceView parent = devices.create(new DeviceRequest(host, "3B:00.0", "VGPU_ONLY", card.id(), null, null, 0, null, null, null));
    assertThat(parent.busAddress()).isEqualTo("0000:3b:00.0");
    assertThat(parent.source()).isEqualTo("MANUAL");
    assertThat(parent.state()).isEqualTo("Free");
    assertThat(parent.managedState()).isEqualTo("Managed");
    assertThat(parent.hostName()).startsWith("h-");
    String m1 = UUID.randomUUID().toString();
    String m2 = UUID.randomUUID().toString();
    DeviceView v1 = devices.create(new DeviceRequest(host, m1, "MDEV", card.id(), q8.id(), parent.id(), 0, null, null, null));
    DeviceView v2 = devices.create(new DeviceRequest(host, m2, "MDEV", card.id(), q8.id(), parent.id(), 0, null, null, null));
    assertThat(v1.profileName()).isEqualTo("sim-8q");
    assertThat(v1.cardName()).isEqualTo("ACS Simulated Graphics Card Pro");
    DeviceView p1 = devices.create(new DeviceRequest(host, "0000:af:00.0", "PCI", card2.id(), pt2, null, 1, "0000:ae:00.0", "12", "vfio-pci"));
    DeviceView p2 = devices.create(new DeviceRequest(host, "af:00.1", "PCI", card2.id(), pt2, null, null, null, null, null));
    assertThat(p2.numaNode()).isEqualTo(-1);

    fails(409, "0000:af:00.0", () -> devices.create(new DeviceRequest(host, "AF:00.0", "PCI", card2.id(), pt2, null, null, null, null, null)));
    fails(400, "does not belong to card", () -> devices.create(new DeviceRequest(host, "b0:00.0", "PCI", card2.id(), pt, null, null, null, null, null)));
    fails(400, "must be a VGPU_ONLY device", () -> devices.create(new DeviceRequest(host, "b0:00.0", "PCI", card2.id(), pt2, p1.id(), null, null, null, null)));
    fails(400, "on another host", () -> devices.create(new DeviceRequest(other, "b0:00.0", "PCI", card.id(), pt, parent.id(), null, null, null, null)));
    fails(400, "hostId", () -> devices.create(new DeviceRequest(UUID.randomUUID().toString(), "b0:00.0", "PCI", card.id(), pt, null, null, null, null, null)));
    fails(400, "cardId", () -> devices.create(new DeviceRequest(host, "b0:00.0", "PCI", UUID.randomUUID().toString(), pt, null, null, null, null, null)));

    // summary and host counts
    hold(v1.id(), "Allocated");
    devices.setManaged(p2.id(), false);
    List<GpuSummary.CardSummary> s = hosts.gpuSummary(host);
    assertThat(s).extracting(GpuSummary.CardSummary::cardName)
        .containsExactly("ACS Simulated Graphics Card Basic", "ACS Simulated Graphics Card Pro");
    GpuSummary.CardSummary basic = s.get(0);
    assertThat(List.of(basic.total(), basic.allocated(), basic.available(), basic.instances())).containsExactly(2L, 0L, 1L, 0L);
    GpuSummary.CardSummary pro = s.get(1);
    assertThat(List.of(pro.total(), pro.allocated(), pro.available(), pro.instances())).containsExactly(2L, 1L, 1L, 1L);
    assertThat(pro.profiles()).extracting(GpuSummary.ProfileSummary::profileName).containsExactly("sim-8q");
    HostView hv = hosts.get(host);
    assertThat(hv.gpuTotal()).isEqualTo(4);
    assertThat(hv.gpuUsed()).isEqualTo(1);
    assertThat(hv.createdAt()).endsWith("Z");
    assertThat(hosts.list("up", null, hv.name())).extracting(HostView::id).containsExactly(host);
    fails(400, "resourceState must be one of", () -> hosts.list(null, "On", null));

    // filters
    assertThat(devices.list(host, null, null, null, "Allocated", null, null)).extracting(DeviceView::id).containsExactly(v1.id());
    assertThat(devices.list(host, null, null, null, null, "mdev", null)).hasSize(2);
    assertThat(devices.list(host, null, null, null, null, null, "Unmanaged")).extracting(DeviceView::id).containsExactly(p2.id());
    assertThat(devices.list(null, card2.id(), null, null, null, null, null)).hasSize(2);

    // busy devices refuse changes; idle ones take them
    fails(409, "Allocated", () -> devices.setManaged(v1.id(), false));
    fails(409, "Allocated", () -> devices.delete(v1.id()));
    fails(409, "Allocated", () -> devices.update(v1.id(), DeviceUpdate.parse(JSON.readTree("{\"numaNode\":1}"))));
    DeviceView u = devices.update(v2.id(), DeviceUpdate.parse(JSON.readTree("{\"numaNode\":1, \"parentDeviceId\": null}")));
    assertThat(u.numaNode()).isEqualTo(1);
    assertThat(u.parentDeviceId()).isNull();
    assertThat(u.profileId()).isEqualTo(q8.id());
    u = devices.update(v2.id(), DeviceUpdate.parse(JSON.readTree("{\"parentDeviceId\": \"" + parent.id() + "\"}")));
    assertThat(u.parentDeviceId()).isEqualTo(parent.id());
    assertThat(u.numaNode()).isEqualTo(1);
    fails(400, "profileId is required", () -> devices.update(v2.id(), DeviceUpdate.parse(JSON.readTree("{\"profileId\": null}"))));
    assertThat(devices.setManaged(p2.id(), false).managedState()).isEqualTo("Unmanaged"); // idempotent
    assertThat(devices.setManaged(p2.id(), true).managedState()).isEqualTo("Managed");
    fails(409, "child device", () -> devices.delete(parent.id()));
    fails(409, "used by", () -> cards.delete(card2.id()));
    fails(409, "used by 2 devices", () -> profiles.delete(q8.id()));
    devices.delete(v2.id());
    fails(404, v2.id(), () -> devices.get(v2.id()));
    fails(404, v2.id(), () -> devices.delete(v2.id()));
    devices.delete(p1.id());
    devices.delete(p2.id());
    cards.delete(card2.id());

    // hosts
    assertThat(hosts.setEnabled(host, false).resourceState()).isEqualTo("Disabled");
    assertThat(hosts.setEnabled(host, false).resourceState()).isEqualTo("Disabled");
    assertThat(hosts.setEnabled(host, true).resourceState()).isEqualTo("Enabled");
    fails(409, "Maintenance", () -> hosts.setEnabled(other, true));
    fails(404, "not found", () -> hosts.setEnabled(UUID.randomUUID().toString(), true));
    jdbi.useHandle(h -> {
      for (int i = 0; i < 3; i++) {
        h.execute("INSERT INTO host_events (host_id, level, type, message) VALUES (?, 'INFO', 'DISCOVERY_OK', ?)", host, "m" + i);
      }
    });
    assertThat(hosts.events(host, null)).extracting(HostEventView::message).containsExactly("m2", "m1", "m0");
    assertThat(hosts.events(host, 1)).extracting(HostEventView::message).containsExactly("m2");
    fails(400, "limit", () -> hosts.events(host, 0));
    DiscoveryStarted d = hosts.discover(host);
    assertThat(d.hostId()).isEqualTo(host);
    assertThat(d.workflowId()).isEqualTo("discover-" + hv.name() + "-x");
  }
}
