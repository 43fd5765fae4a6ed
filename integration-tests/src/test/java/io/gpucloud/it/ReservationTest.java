package io.gpucloud.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.gpucloud.activities.instance.AssignedDevice;
import io.gpucloud.activities.instance.InstanceActivities;
import io.gpucloud.controlplane.instance.InstanceActivitiesImpl;
import io.gpucloud.activities.instance.Reservation;
import io.gpucloud.migrations.Migrations;
import io.temporal.failure.ApplicationFailure;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.sqlobject.SqlObjectPlugin;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.mariadb.jdbc.MariaDbPoolDataSource;

/**
 * ReserveOnBestHost and ReleaseReservation against MariaDB (the stack's server, a database of this
 * class's own): placement, exclusions, repeats, a fleet too small, limits, and a race for the last GPUs
 * between two control-plane processes (each with its own plan view).
 */
class ReservationTest {
  static MariaDbPoolDataSource ds;
  static InstanceActivitiesImpl activities;
  static String account;
  static String limitedAccount;
  static String profile;
  static String hostA; // 2 GPUs
  static String hostB; // 4 GPUs

  @BeforeAll
  static void seed() throws Exception {
    int port = Stack.get().dbPort;
    String db = "reserve_" + System.currentTimeMillis();
    try (Connection c = DriverManager.getConnection("jdbc:mariadb://127.0.0.1:" + port + "/", "root", Stack.rootPasswordFor(port))) {
      c.createStatement().execute("CREATE DATABASE " + db + " CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci");
    }
    ds = new MariaDbPoolDataSource("jdbc:mariadb://127.0.0.1:" + port + "/" + db
        + "?user=root&password=" + Stack.rootPasswordFor(port) + "&transactionIsolation=READ-COMMITTED&maxPoolSize=8");
    Migrations.migrate(ds);
    activities = new InstanceActivitiesImpl(Jdbi.create(ds).installPlugin(new SqlObjectPlugin()));
    String domain = UUID.randomUUID().toString();
    account = UUID.randomUUID().toString();
    limitedAccount = UUID.randomUUID().toString();
    String card = UUID.randomUUID().toString();
    profile = UUID.randomUUID().toString();
    hostA = UUID.randomUUID().toString();
    hostB = UUID.randomUUID().toString();
    try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
      s.execute("INSERT INTO domains (id, name, parent_id, path) VALUES ('" + domain + "', 'ROOT', NULL, '/ROOT/')");
      s.execute("INSERT INTO accounts (id, name, domain_id) VALUES ('" + account + "', 'free', '" + domain + "'),"
          + " ('" + limitedAccount + "', 'limited', '" + domain + "')");
      for (String r : new String[] {"GPU", "INSTANCE", "CPU", "MEMORY"}) {
        s.execute("INSERT INTO resource_limits (scope_type, scope_id, resource, `max`) VALUES ('ACCOUNT', '"
            + account + "', '" + r + "', -1)");
      }
      s.execute("INSERT INTO resource_limits (scope_type, scope_id, resource, `max`) VALUES ('ACCOUNT', '"
          + limitedAccount + "', 'GPU', 1)");
      s.execute("INSERT INTO gpu_cards (id, vendor_id, device_id, vendor_name, device_name, name) VALUES ('" + card
          + "', '1ae0', '0c0c', 'ACS', 'Test Card', 'Test Card')");
      s.execute("INSERT INTO vgpu_profiles (id, card_id, name) VALUES ('" + profile + "', '" + card
          + "', 'passthrough')");
      for (String[] h : new String[][] {{hostA, "resv-A", "2"}, {hostB, "resv-B", "4"}}) {
        s.execute("INSERT INTO hosts (id, name, hypervisor_uri, cpu_cores, cpu_mhz, memory_mb, numa_nodes, state,"
            + " resource_state) VALUES ('" + h[0] + "', '" + h[1] + "', 'test:///x', 64, 3000, 262144, 1, 'Up',"
            + " 'Enabled')");
        for (int g = 0; g < Integer.parseInt(h[2]); g++) {
          s.execute("INSERT INTO gpu_devices (id, host_id, bus_address, type, card_id, profile_id, numa_node, pci_root)"
              + " VALUES ('" + UUID.randomUUID() + "', '" + h[0] + "', '0000:0" + g + ":00.0', 'PCI', '" + card + "', '"
              + profile + "', 0, '0000:00:01.0')");
        }
      }
    }
  }

  @AfterAll
  static void close() {
    ds.close();
  }

  static String instance(String accountId, int gpus) throws Exception {
    String id = UUID.randomUUID().toString();
    try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
      s.execute("INSERT INTO instances (id, name, vm_name, account_id, state, vgpu_profile_id, gpu_count, cpu_cores,"
          + " cpu_mhz, memory_mb) VALUES ('" + id + "', 'r', 'i-" + id + "', '" + accountId + "', 'Creating', '"
          + profile + "', " + gpus + ", 1, 100, 128)");
    }
    return id;
  }

  static int held(String instanceId, String state) throws Exception {
    try (Connection c = ds.getConnection(); ResultSet rs = c.createStatement().executeQuery(
        "SELECT COUNT(*) FROM gpu_devices WHERE instance_id = '" + instanceId + "' AND state = '" + state + "'")) {
      rs.next();
      return rs.getInt(1);
    }
  }

  static void releaseAll(String... ids) {
    for (String id : ids) {
      activities.release(id, null);
    }
  }

  @Test
  void placeThenRepeatThenExclusionThenRelease() throws Exception {
    String one = instance(account, 1);
    Reservation r = activities.reserve(one, List.of());
    assertThat(r.hostId()).isIn(hostA, hostB); // near-best hosts are shuffled so concurrent deploys spread
    assertThat(r.spec().hostName()).isEqualTo(r.hostId().equals(hostA) ? "resv-A" : "resv-B");
    assertThat(r.spec().devices()).hasSize(1);
    assertThat(held(one, "Reserved")).isEqualTo(1);

    Reservation again = activities.reserve(one, List.of()); // a local activity re-run after a crash
    assertThat(again.hostId()).isEqualTo(r.hostId());
    assertThat(again.spec().devices()).extracting(AssignedDevice::deviceId)
        .containsExactlyElementsOf(r.spec().devices().stream().map(AssignedDevice::deviceId).toList());
    assertThat(held(one, "Reserved")).isEqualTo(1);

    String two = instance(account, 1);
    Reservation elsewhere = activities.reserve(two, List.of(r.hostId())); // that host's worker did not answer
    assertThat(elsewhere.hostId()).isEqualTo(r.hostId().equals(hostA) ? hostB : hostA);

    activities.release(one, null);
    activities.release(two, elsewhere.hostId());
    assertThat(held(one, "Reserved")).isZero();
    assertThat(held(two, "Reserved")).isZero();
    try (Connection c = ds.getConnection(); ResultSet rs = c.createStatement().executeQuery(
        "SELECT COUNT(*) FROM instances WHERE id IN ('" + one + "', '" + two + "') AND host_id IS NOT NULL")) {
      rs.next();
      assertThat(rs.getInt(1)).as("released instances are on no host").isZero();
    }
  }

  @Test
  void aRequestNoHostCanHoldGetsNone() throws Exception {
    String five = instance(account, 5);
    assertThat(activities.reserve(five, List.of()).reserved()).isFalse();
    assertThat(held(five, "Reserved")).isZero();
    String one = instance(account, 1);
    assertThat(activities.reserve(one, List.of(hostA, hostB)).reserved()).as("every host excluded").isFalse();
  }

  @Test
  void theAccountLimitIsCountedWithTheReservation() throws Exception {
    String first = instance(limitedAccount, 1);
    String second = instance(limitedAccount, 1);
    assertThat(activities.reserve(first, List.of()).reserved()).isTrue();
    ApplicationFailure f = catchThrowableOfType(() -> activities.reserve(second, List.of()), ApplicationFailure.class);
    assertThat(f.getType()).isEqualTo(InstanceActivities.LIMIT_EXCEEDED);
    assertThat(f.getOriginalMessage()).contains("limited");
    assertThat(held(second, "Reserved")).isZero();
    releaseAll(first, second);
  }

  /**
   * Two control-plane processes (own plan views, so one's view of the other's host goes stale) race
   * 12 one-GPU deploys for the 6 GPUs: exactly 6 are placed, no device twice.
   */
  @Test
  void twoProcessesRaceForTheLastGpus() throws Exception {
    InstanceActivitiesImpl other = new InstanceActivitiesImpl(Jdbi.create(ds).installPlugin(new SqlObjectPlugin()));
    List<String> ids = new java.util.ArrayList<>();
    for (int i = 0; i < 12; i++) {
      ids.add(instance(account, 1));
    }
    List<java.util.concurrent.Future<Boolean>> results = new java.util.ArrayList<>();
    var pool = java.util.concurrent.Executors.newFixedThreadPool(6);
    for (int i = 0; i < ids.size(); i++) {
      InstanceActivitiesImpl by = i % 2 == 0 ? activities : other;
      String id = ids.get(i);
      results.add(pool.submit(() -> by.reserve(id, List.of()).reserved()));
    }
    int placed = 0;
    for (var f : results) {
      placed += f.get() ? 1 : 0;
    }
    pool.shutdown();
    assertThat(placed).isEqualTo(6);
    try (Connection c = ds.getConnection(); ResultSet rs = c.createStatement().executeQuery(
        "SELECT COUNT(*), COUNT(DISTINCT instance_id) FROM gpu_devices WHERE state = 'Reserved'")) {
      rs.next();
      assertThat(rs.getInt(1)).isEqualTo(6);
      assertThat(rs.getInt(2)).isEqualTo(6);
    }
    releaseAll(ids.toArray(String[]::new));
  }
}
