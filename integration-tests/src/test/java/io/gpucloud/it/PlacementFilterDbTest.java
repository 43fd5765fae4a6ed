package io.gpucloud.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpucloud.activities.instance.AssignedDevice;
import io.gpucloud.activities.instance.Reservation;
import io.gpucloud.controlplane.instance.InstanceActivitiesImpl;
import io.gpucloud.migrations.Migrations;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.List;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.sqlobject.SqlObjectPlugin;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.mariadb.jdbc.MariaDbPoolDataSource;

/**
 * The placement filters at the database: ReserveOnBestHost (InstanceActivitiesImpl.reserve) against a
 * database of this class's own on the stack's MariaDB. Each test has its own card, profile and hosts,
 * so the only free devices of its profile are on the host it filters: a reservation finds none, and
 * the same instance is placed once the filter is lifted (so nothing else was wrong with the set-up).
 */
class PlacementFilterDbTest {
  static MariaDbPoolDataSource ds;
  static Jdbi jdbi;
  static String account;

  InstanceActivitiesImpl activities;
  String card;
  String profile;

  @BeforeAll
  static void database() throws Exception {
    int port = Stack.get().dbPort;
    String db = "filters_" + System.currentTimeMillis();
    try (Connection c = DriverManager.getConnection("jdbc:mariadb://127.0.0.1:" + port + "/", "root", Stack.rootPasswordFor(port))) {
      c.createStatement().execute("CREATE DATABASE " + db + " CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci");
    }
    ds = new MariaDbPoolDataSource("jdbc:mariadb://127.0.0.1:" + port + "/" + db
        + "?user=root&password=" + Stack.rootPasswordFor(port) + "&transactionIsolation=READ-COMMITTED&maxPoolSize=4");
    Migrations.migrate(ds);
    jdbi = Jdbi.create(ds).installPlugin(new SqlObjectPlugin());
    String domain = UUID.randomUUID().toString();
    account = UUID.randomUUID().toString();
    sql("INSERT INTO domains (id, name, parent_id, path) VALUES (?, 'ROOT', NULL, '/ROOT/')", domain);
    sql("INSERT INTO accounts (id, name, domain_id) VALUES (?, 'filters', ?)", account, domain);
    for (String r : new String[] {"GPU", "INSTANCE", "CPU", "MEMORY"}) {
      sql("INSERT INTO resource_limits (scope_type, scope_id, resource, `max`) VALUES ('ACCOUNT', ?, ?, -1)", account, r);
    }
  }

  @AfterAll
  static void close() {
    ds.close();
  }

  /** A card and passthrough profile of this test only; a fresh control plane (its own plan view). */
  @BeforeEach
  void ownProfile() throws Exception {
    activities = new InstanceActivitiesImpl(jdbi);
    card = UUID.randomUUID().toString();
    profile = UUID.randomUUID().toString();
    sql("INSERT INTO gpu_cards (id, vendor_id, device_id, vendor_name, device_name, name) VALUES (?, '1ae0', ?, 'ACS',"
        + " ?, ?)", card, card.substring(0, 4), "card " + card, "card " + card);
    sql("INSERT INTO vgpu_profiles (id, card_id, name) VALUES (?, ?, 'passthrough')", profile, card);
  }

  static void sql(String statement, Object... args) throws Exception {
    try (Connection c = ds.getConnection(); PreparedStatement s = c.prepareStatement(statement)) {
      for (int i = 0; i < args.length; i++) {
        s.setObject(i + 1, args[i]);
      }
      s.executeUpdate();
    }
  }

  /** An Up, Enabled host with the CPU (cores x MHz) and RAM given. */
  static String host(int cores, int mhz, long memoryMb) throws Exception {
    String id = UUID.randomUUID().toString();
    sql("INSERT INTO hosts (id, name, hypervisor_uri, cpu_cores, cpu_mhz, memory_mb, numa_nodes, state, resource_state)"
        + " VALUES (?, ?, 'test:///x', ?, ?, ?, 1, 'Up', 'Enabled')", id, "flt-" + id.substring(0, 8), cores, mhz, memoryMb);
    return id;
  }

  static String bigHost() throws Exception {
    return host(64, 3000, 262144);
  }

  /** A Free, Managed passthrough device of this test's profile on the host. */
  String device(String hostId, int n) throws Exception {
    String id = UUID.randomUUID().toString();
    sql("INSERT INTO gpu_devices (id, host_id, bus_address, type, card_id, profile_id, numa_node, pci_root)"
        + " VALUES (?, ?, ?, 'PCI', ?, ?, 0, '0000:00:01.0')", id, hostId, String.format("0000:%02x:00.0", n), card,
        profile);
    return id;
  }

  /** A Creating instance of this test's profile. */
  String instance(int gpus, int cores, int mhz, long memoryMb) throws Exception {
    String id = UUID.randomUUID().toString();
    sql("INSERT INTO instances (id, name, vm_name, account_id, state, vgpu_profile_id, gpu_count, cpu_cores, cpu_mhz,"
        + " memory_mb) VALUES (?, 'f', ?, ?, 'Creating', ?, ?, ?, ?, ?)", id, "i-" + id, account, profile, gpus,
        cores, mhz, memoryMb);
    return id;
  }

  String instance() throws Exception {
    return instance(1, 1, 100, 128);
  }

  Reservation reserve(String instanceId) {
    return activities.reserve(instanceId, List.of());
  }

  static List<String> deviceIds(Reservation r) {
    return r.spec().devices().stream().map(AssignedDevice::deviceId).toList();
  }

  static int heldBy(String instanceId) throws Exception {
    try (Connection c = ds.getConnection(); PreparedStatement s = c.prepareStatement(
        "SELECT COUNT(*) FROM gpu_devices WHERE instance_id = ?")) {
      s.setString(1, instanceId);
      ResultSet rs = s.executeQuery();
      rs.next();
      return rs.getInt(1);
    }
  }

  void assertNone(String instanceId, String why) throws Exception {
    assertThat(reserve(instanceId).reserved()).as(why).isFalse();
    assertThat(heldBy(instanceId)).as(why + ": nothing held").isZero();
  }

  @Test
  void unmanagedDevicesAreNeverChosen() throws Exception {
    String h = bigHost();
    String d = device(h, 1);
    sql("UPDATE gpu_devices SET managed_state = 'Unmanaged' WHERE id = ?", d);
    String i = instance();
    assertNone(i, "the only free device is Unmanaged");
    sql("UPDATE gpu_devices SET managed_state = 'Managed' WHERE id = ?", d);
    Reservation r = reserve(i);
    assertThat(r.hostId()).isEqualTo(h);
    assertThat(deviceIds(r)).containsExactly(d);
  }

  @Test
  void errorDevicesAreNeverChosen() throws Exception {
    String h = bigHost();
    String d = device(h, 1);
    sql("UPDATE gpu_devices SET state = 'Error', error_reason = 'missing from discovery' WHERE id = ?", d);
    String i = instance();
    assertNone(i, "the only device is in Error");
    sql("UPDATE gpu_devices SET state = 'Free', error_reason = NULL WHERE id = ?", d);
    assertThat(deviceIds(reserve(i))).containsExactly(d);
  }

  @Test
  void aManagedFreeDeviceAmongFilteredOnesIsTheOneChosen() throws Exception {
    // several devices on one host, only one of them allocatable: that one, whatever the address order
    String h = bigHost();
    String unmanaged = device(h, 1);
    String error = device(h, 2);
    String parent = device(h, 3);
    String good = device(h, 4);
    sql("UPDATE gpu_devices SET managed_state = 'Unmanaged' WHERE id = ?", unmanaged);
    sql("UPDATE gpu_devices SET state = 'Error' WHERE id = ?", error);
    sql("UPDATE gpu_devices SET type = 'VGPU_ONLY' WHERE id = ?", parent); // a parent of vGPUs is never assigned
    String two = instance(2, 1, 100, 128);
    assertNone(two, "one allocatable device for two GPUs");
    String one = instance();
    assertThat(deviceIds(reserve(one))).containsExactly(good);
  }

  @Test
  void aDisabledHostIsNeverChosen() throws Exception {
    hostFilter("resource_state", "Disabled", "Enabled");
  }

  @Test
  void aHostInMaintenanceIsNeverChosen() throws Exception {
    hostFilter("resource_state", "Maintenance", "Enabled");
  }

  @Test
  void aDownHostIsNeverChosen() throws Exception {
    hostFilter("state", "Down", "Up");
  }

  @Test
  void aDisconnectedHostIsNeverChosen() throws Exception {
    hostFilter("state", "Disconnected", "Up");
  }

  /** The host's column set to {@code filtered}: no placement; back to {@code lifted}: placed there. */
  void hostFilter(String column, String filtered, String lifted) throws Exception {
    String h = bigHost();
    String d = device(h, 1);
    String i = instance();
    // first a plan that sees the host (so a cached view has it), then the filter
    String probe = instance();
    assertThat(reserve(probe).hostId()).isEqualTo(h);
    activities.release(probe, h);
    sql("UPDATE hosts SET " + column + " = ? WHERE id = ?", filtered, h);
    assertNone(i, "the only host is " + filtered);
    assertNone(i, "the only host is " + filtered + " (asked again)");
    sql("UPDATE hosts SET " + column + " = ? WHERE id = ?", lifted, h);
    Reservation r = reserve(i);
    assertThat(r.hostId()).isEqualTo(h);
    assertThat(deviceIds(r)).containsExactly(d);
  }

  @Test
  void aHostWithoutTheCpuIsNeverChosen() throws Exception {
    String h = host(4, 1000, 65536); // 4,000 MHz in all
    device(h, 1);
    device(h, 2);
    String tooMuch = instance(1, 1, 4001, 128);
    assertNone(tooMuch, "4,001 MHz on a 4,000 MHz host");
    String exactly = instance(1, 2, 2000, 128);
    assertThat(reserve(exactly).hostId()).as("exactly the host's CPU").isEqualTo(h);
    // what instances on the host use counts: nothing left now, even for the smallest
    String more = instance(1, 1, 1, 128);
    assertNone(more, "the host's CPU is taken by an instance");
    activities.release(exactly, h);
    assertThat(reserve(more).hostId()).isEqualTo(h);
  }

  @Test
  void aHostWithoutTheRamIsNeverChosen() throws Exception {
    String h = host(64, 3000, 4096);
    device(h, 1);
    device(h, 2);
    String tooMuch = instance(1, 1, 100, 4097);
    assertNone(tooMuch, "4,097 MB on a 4,096 MB host");
    String exactly = instance(1, 1, 100, 4096);
    assertThat(reserve(exactly).hostId()).as("exactly the host's RAM").isEqualTo(h);
    String more = instance(1, 1, 100, 1);
    assertNone(more, "the host's RAM is taken by an instance");
    activities.release(exactly, h);
    assertThat(reserve(more).hostId()).isEqualTo(h);
  }

  @Test
  void theFilteredHostIsPassedOverForOneThatFits() throws Exception {
    // two hosts with free devices: one filtered (Disabled, devices Unmanaged, too little RAM...) in
    // turn; every placement lands on the other
    String filtered = bigHost();
    device(filtered, 1);
    device(filtered, 2);
    String ok = bigHost();
    device(ok, 1);
    device(ok, 2);
    device(ok, 3);
    device(ok, 4);
    String[][] filters = {
        {"UPDATE hosts SET resource_state = 'Disabled' WHERE id = ?", "UPDATE hosts SET resource_state = 'Enabled' WHERE id = ?"},
        {"UPDATE hosts SET state = 'Down' WHERE id = ?", "UPDATE hosts SET state = 'Up' WHERE id = ?"},
        {"UPDATE gpu_devices SET managed_state = 'Unmanaged' WHERE host_id = ?", "UPDATE gpu_devices SET managed_state = 'Managed' WHERE host_id = ?"},
        {"UPDATE hosts SET memory_mb = 64 WHERE id = ?", "UPDATE hosts SET memory_mb = 262144 WHERE id = ?"}};
    for (String[] f : filters) {
      sql(f[0], filtered);
      for (int n = 0; n < 3; n++) { // near-best hosts are tried in random order: more than once
        String i = instance();
        Reservation r = reserve(i);
        assertThat(r.hostId()).as(f[0]).isEqualTo(ok);
        activities.release(i, ok);
      }
      sql(f[1], filtered);
    }
  }
}
