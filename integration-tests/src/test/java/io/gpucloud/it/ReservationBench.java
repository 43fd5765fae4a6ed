package io.gpucloud.it;

import io.gpucloud.controlplane.instance.InstanceActivitiesImpl;
import io.gpucloud.migrations.Migrations;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.sqlobject.SqlObjectPlugin;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.mariadb.jdbc.MariaDbPoolDataSource;

/**
 * Reservations per second, allocation + atomic reservation (limits counted in the same
 * transaction), over 1,000 simulated hosts x 8 GPUs in MariaDB; no Temporal, no libvirt. The
 * same InstanceActivitiesImpl call the Deploy workflow makes (plan, then reserve host by host).
 * Run with `make bench`; it prints figures and asserts nothing about time.
 */
@Tag("bench")
class ReservationBench {
  static final int HOSTS = 1000;
  static final int GPUS_PER_HOST = 8;
  static final int THREADS = Integer.parseInt(System.getenv().getOrDefault("BENCH_THREADS", "16"));

  @Test
  void reservationsPerSecond() throws Exception {
    int port = Integer.parseInt(System.getProperty("bench.dbPort", System.getenv().getOrDefault("BENCH_DB_PORT", "0")));
    if (port == 0) {
      port = Stack.get().dbPort;
    }
    for (int gpus : new int[] {1, 4}) {
      List<Double> rates = new ArrayList<>();
      for (int round = 1; round <= ROUNDS; round++) {
        rates.add(once(port, gpus, round));
      }
      List<Double> sorted = new ArrayList<>(rates);
      Collections.sort(sorted);
      System.out.printf("BENCH reservations: %d-GPU requests, %d hosts x %d GPUs, %d threads: median of %d runs"
          + " %.0f reservations/s (runs: %s)%n", gpus, HOSTS, GPUS_PER_HOST, THREADS, ROUNDS, sorted.get(ROUNDS / 2),
          String.join(", ", rates.stream().map(r -> String.format("%.0f", r)).toList()));
    }
  }

  /**
   * Runs, on a fresh database each time: a 4-GPU run fills its fleet with 1,500 reservations in a
   * few seconds, short enough for a stall of this shared machine to move one figure by a third.
   */
  static final int ROUNDS = 3;

  /** One run on a fresh database: seeds the fleet, warms up, times the rest; reservations per second. */
  static double once(int port, int gpus, int round) throws Exception {
    String db = "bench_" + gpus + "_" + round + "_" + System.currentTimeMillis();
    try (Connection c = DriverManager.getConnection("jdbc:mariadb://127.0.0.1:" + port + "/", "root", "")) {
      c.createStatement().execute("CREATE DATABASE " + db + " CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci");
    }
    MariaDbPoolDataSource ds = new MariaDbPoolDataSource(
        "jdbc:mariadb://127.0.0.1:" + port + "/" + db + "?user=root&transactionIsolation=READ-COMMITTED&maxPoolSize=" + (THREADS + 4));
    Migrations.migrate(ds);
    int requests = HOSTS * GPUS_PER_HOST / gpus * 3 / 4; // fill three quarters of the fleet
    String profile = seed(ds, requests, gpus);
    Jdbi jdbi = Jdbi.create(ds).installPlugin(new SqlObjectPlugin());
    InstanceActivitiesImpl activities = new InstanceActivitiesImpl(jdbi);
    List<String> ids = instanceIds(ds);
    List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
    AtomicInteger reserved = new AtomicInteger();
    // warm-up (JIT, pools, buffer pool): the first WARMUP requests are not timed
    run(activities, ids.subList(0, WARMUP), new ArrayList<>(), new AtomicInteger());
    List<String> timed = ids.subList(WARMUP, ids.size());
    long start = System.nanoTime();
    run(activities, timed, latencies, reserved);
    double seconds = (System.nanoTime() - start) / 1e9;
    List<Long> sorted = new ArrayList<>(latencies);
    Collections.sort(sorted);
    System.out.printf("BENCH reservations run %d: %d-GPU requests, %d hosts x %d GPUs, %d threads: %d of %d reserved"
            + " in %.2f s = %.0f reservations/s; per request p50 %.1f ms, p99 %.1f ms%n",
        round, gpus, HOSTS, GPUS_PER_HOST, THREADS, reserved.get(), timed.size(), seconds, reserved.get() / seconds,
        sorted.get(sorted.size() / 2) / 1e6, sorted.get((int) (sorted.size() * 0.99)) / 1e6);
    try (Connection c = ds.getConnection()) {
      var rs = c.createStatement().executeQuery(
          "SELECT COUNT(*), COUNT(DISTINCT instance_id) FROM gpu_devices WHERE instance_id IS NOT NULL");
      rs.next();
      System.out.printf("BENCH check: %d devices held by %d instances (%d GPUs each), none twice%n",
          rs.getInt(1), rs.getInt(2), gpus);
    }
    ds.close();
    try (Connection c = DriverManager.getConnection("jdbc:mariadb://127.0.0.1:" + port + "/", "root", "")) {
      c.createStatement().execute("DROP DATABASE " + db);
    }
    return reserved.get() / seconds;
  }

  static final int WARMUP = 300;

  /** Places each instance as the Deploy workflow does. */
  static void run(InstanceActivitiesImpl activities, List<String> ids, List<Long> latencies, AtomicInteger reserved)
      throws Exception {
    AtomicInteger next = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    List<Future<?>> futures = new ArrayList<>();
    for (int t = 0; t < THREADS; t++) {
      futures.add(pool.submit(() -> {
        int i;
        while ((i = next.getAndIncrement()) < ids.size()) {
          String id = ids.get(i);
          long t0 = System.nanoTime();
          if (activities.reserve(id, List.of()).reserved()) {
            reserved.incrementAndGet();
          }
          latencies.add(System.nanoTime() - t0);
        }
        return null;
      }));
    }
    for (Future<?> f : futures) {
      f.get();
    }
    pool.shutdown();
  }

  /** 1,000 Up hosts with 8 passthrough GPUs each (2 NUMA nodes, 4 PCI roots), and the instances to place. */
  static String seed(MariaDbPoolDataSource ds, int instances, int gpus) throws Exception {
    String domain = UUID.randomUUID().toString();
    String account = UUID.randomUUID().toString();
    String card = UUID.randomUUID().toString();
    String profile = UUID.randomUUID().toString();
    try (Connection c = ds.getConnection()) {
      c.setAutoCommit(false);
      Statement s = c.createStatement();
      s.execute("INSERT INTO domains (id, name, parent_id, path) VALUES ('" + domain + "', 'ROOT', NULL, '/ROOT/')");
      s.execute("INSERT INTO accounts (id, name, domain_id) VALUES ('" + account + "', 'bench', '" + domain + "')");
      for (String r : new String[] {"GPU", "INSTANCE", "CPU", "MEMORY"}) {
        s.execute("INSERT INTO resource_limits (scope_type, scope_id, resource, `max`) VALUES ('ACCOUNT', '" + account
            + "', '" + r + "', -1)");
      }
      s.execute("INSERT INTO gpu_cards (id, vendor_id, device_id, vendor_name, device_name, name) VALUES ('" + card
          + "', '1ae0', '0b0b', 'ACS', 'Bench Card', 'Bench Card')");
      s.execute("INSERT INTO vgpu_profiles (id, card_id, name) VALUES ('" + profile + "', '" + card + "', 'passthrough')");
      try (PreparedStatement host = c.prepareStatement("INSERT INTO hosts (id, name, hypervisor_uri, cpu_cores, cpu_mhz,"
          + " memory_mb, numa_nodes, state, resource_state) VALUES (?, ?, 'test:///bench', 256, 3000, 1048576, 2, 'Up', 'Enabled')");
          PreparedStatement dev = c.prepareStatement("INSERT INTO gpu_devices (id, host_id, bus_address, type, card_id,"
              + " profile_id, numa_node, pci_root) VALUES (?, ?, ?, 'PCI', ?, ?, ?, ?)")) {
        for (int h = 0; h < HOSTS; h++) {
          String hostId = UUID.randomUUID().toString();
          host.setString(1, hostId);
          host.setString(2, String.format("bench-%04d", h));
          host.addBatch();
          for (int g = 0; g < GPUS_PER_HOST; g++) {
            dev.setString(1, UUID.randomUUID().toString());
            dev.setString(2, hostId);
            dev.setString(3, String.format("0000:%02x:00.0", 0x10 + g));
            dev.setString(4, card);
            dev.setString(5, profile);
            dev.setInt(6, g / 4);
            dev.setString(7, "0000:0" + (g / 2) + ":01.0");
            dev.addBatch();
          }
        }
        host.executeBatch();
        dev.executeBatch();
      }
      try (PreparedStatement inst = c.prepareStatement("INSERT INTO instances (id, name, vm_name, account_id, state,"
          + " vgpu_profile_id, gpu_count, cpu_cores, cpu_mhz, memory_mb) VALUES (?, ?, ?, ?, 'Creating', ?, ?, 1, 100, 128)")) {
        for (int i = 0; i < instances; i++) {
          String id = UUID.randomUUID().toString();
          inst.setString(1, id);
          inst.setString(2, "b" + i);
          inst.setString(3, "i-" + id);
          inst.setString(4, account);
          inst.setString(5, profile);
          inst.setInt(6, gpus);
          inst.addBatch();
        }
        inst.executeBatch();
      }
      c.commit();
    }
    return profile;
  }

  static List<String> instanceIds(MariaDbPoolDataSource ds) throws Exception {
    List<String> ids = new ArrayList<>();
    try (Connection c = ds.getConnection(); var rs = c.createStatement().executeQuery("SELECT id FROM instances")) {
      while (rs.next()) {
        ids.add(rs.getString(1));
      }
    }
    return ids;
  }
}
