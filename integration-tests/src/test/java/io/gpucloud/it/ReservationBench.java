package io.gpucloud.it;

import io.gpucloud.controlplane.instance.InstanceActivitiesImpl;
import io.gpucloud.controlplane.instance.PlanTimer;
import io.gpucloud.migrations.Migrations;
import java.sql.Connection;
import java.sql.DriverManager;
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
 * transaction), over 1,000 and over 10,000 simulated hosts x 8 GPUs in MariaDB; no Temporal, no
 * libvirt. Each request is placed as InstanceActivitiesImpl.reserve (the call the Deploy workflow
 * makes) places it, through {@link PlanTimer}, which runs the same steps (placement turn, plan, reserve
 * host by host) and times the plan step apart: the time to choose a host. Every run asks for the same
 * number of GPUs (6,000: three quarters of the 1,000-host fleet), so the runs at 10,000 hosts place
 * the same requests on a fleet ten times larger. Run with `make bench`; it prints figures and asserts
 * nothing about time.
 */
@Tag("bench")
class ReservationBench {
  static final int[] FLEETS = {1000, 10000};
  static final int GPUS_PER_HOST = 8;
  /** GPUs asked for in each run, whatever the fleet: three quarters of 1,000 hosts x 8. */
  static final int GPUS_ASKED = 6000;
  static final int THREADS = Integer.parseInt(System.getenv().getOrDefault("BENCH_THREADS", "16"));

  record Run(double perSecond, double planP99Ms) {}

  @Test
  void reservationsPerSecond() throws Exception {
    int port = Integer.parseInt(System.getProperty("bench.dbPort", System.getenv().getOrDefault("BENCH_DB_PORT", "0")));
    if (port == 0) {
      port = Stack.get().dbPort;
    }
    java.util.Map<Integer, Double> planP99 = new java.util.LinkedHashMap<>();
    for (int hosts : FLEETS) {
      for (int gpus : new int[] {1, 4}) {
        List<Run> runs = new ArrayList<>();
        for (int round = 1; round <= ROUNDS; round++) {
          runs.add(once(port, hosts, gpus, round));
        }
        List<Double> rates = runs.stream().map(Run::perSecond).sorted().toList();
        List<Double> plans = runs.stream().map(Run::planP99Ms).sorted().toList();
        System.out.printf("BENCH reservations: %d-GPU requests, %d hosts x %d GPUs, %d threads: median of %d runs"
            + " %.0f reservations/s (runs: %s); time to choose a host, p99: median %.2f ms (runs: %s)%n", gpus, hosts,
            GPUS_PER_HOST, THREADS, ROUNDS, rates.get(ROUNDS / 2),
            String.join(", ", runs.stream().map(r -> String.format("%.0f", r.perSecond())).toList()),
            plans.get(ROUNDS / 2),
            String.join(", ", runs.stream().map(r -> String.format("%.2f", r.planP99Ms())).toList()));
        if (gpus == 1) {
          planP99.put(hosts, plans.get(ROUNDS / 2));
        }
      }
    }
    if (planP99.size() == 2) {
      double small = planP99.get(FLEETS[0]);
      double large = planP99.get(FLEETS[1]);
      System.out.printf("BENCH time to choose a host, p99 (1-GPU requests): %.2f ms at %d hosts, %.2f ms at %d hosts:"
          + " x%.1f for x%d hosts%n", small, FLEETS[0], large, FLEETS[1], large / small, FLEETS[1] / FLEETS[0]);
    }
  }

  /**
   * Runs, on a fresh database each time: a 4-GPU run places 1,500 reservations in a few seconds, short
   * enough for a stall of this shared machine to move one figure by a third.
   */
  static final int ROUNDS = 3;

  /** One run on a fresh database: seeds the fleet, warms up, times the rest. */
  static Run once(int port, int hosts, int gpus, int round) throws Exception {
    String db = "bench_" + hosts + "_" + gpus + "_" + round + "_" + System.currentTimeMillis();
    try (Connection c = DriverManager.getConnection("jdbc:mariadb://127.0.0.1:" + port + "/", "root", Stack.rootPasswordFor(port))) {
      c.createStatement().execute("CREATE DATABASE " + db + " CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci");
    }
    MariaDbPoolDataSource ds = new MariaDbPoolDataSource(
        "jdbc:mariadb://127.0.0.1:" + port + "/" + db + "?user=root&password=" + Stack.rootPasswordFor(port) + "&transactionIsolation=READ-COMMITTED&maxPoolSize=" + (THREADS + 4));
    Migrations.migrate(ds);
    int requests = GPUS_ASKED / gpus;
    long seedStart = System.nanoTime();
    seed(ds, hosts, requests, gpus);
    double seedSeconds = (System.nanoTime() - seedStart) / 1e9;
    Jdbi jdbi = Jdbi.create(ds).installPlugin(new SqlObjectPlugin());
    InstanceActivitiesImpl activities = new InstanceActivitiesImpl(jdbi);
    List<String> ids = instanceIds(ds);
    List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
    List<Long> planTimes = Collections.synchronizedList(new ArrayList<>());
    AtomicInteger reserved = new AtomicInteger();
    // warm-up (JIT, pools, buffer pool): the first WARMUP requests are not timed
    run(activities, ids.subList(0, WARMUP), new ArrayList<>(), new ArrayList<>(), new AtomicInteger());
    List<String> timed = ids.subList(WARMUP, ids.size());
    long start = System.nanoTime();
    run(activities, timed, latencies, planTimes, reserved);
    double seconds = (System.nanoTime() - start) / 1e9;
    List<Long> sorted = new ArrayList<>(latencies);
    Collections.sort(sorted);
    List<Long> plans = new ArrayList<>(planTimes);
    Collections.sort(plans);
    double planP99 = plans.get((int) (plans.size() * 0.99)) / 1e6;
    System.out.printf("BENCH reservations run %d: %d-GPU requests, %d hosts x %d GPUs (seeded in %.1f s), %d threads:"
            + " %d of %d reserved in %.2f s = %.0f reservations/s; per request p50 %.1f ms, p99 %.1f ms;"
            + " choosing a host (plan) p50 %.2f ms, p99 %.2f ms, max %.1f ms%n",
        round, gpus, hosts, GPUS_PER_HOST, seedSeconds, THREADS, reserved.get(), timed.size(), seconds,
        reserved.get() / seconds, sorted.get(sorted.size() / 2) / 1e6, sorted.get((int) (sorted.size() * 0.99)) / 1e6,
        plans.get(plans.size() / 2) / 1e6, planP99, plans.get(plans.size() - 1) / 1e6);
    try (Connection c = ds.getConnection()) {
      var rs = c.createStatement().executeQuery(
          "SELECT COUNT(*), COUNT(DISTINCT instance_id) FROM gpu_devices WHERE instance_id IS NOT NULL");
      rs.next();
      System.out.printf("BENCH check: %d devices held by %d instances (%d GPUs each), none twice%n",
          rs.getInt(1), rs.getInt(2), gpus);
    }
    ds.close();
    try (Connection c = DriverManager.getConnection("jdbc:mariadb://127.0.0.1:" + port + "/", "root", Stack.rootPasswordFor(port))) {
      c.createStatement().execute("DROP DATABASE " + db);
    }
    return new Run(reserved.get() / seconds, planP99);
  }

  static final int WARMUP = 300;

  /** Places each instance as the Deploy workflow does; per request its latency and its time choosing hosts. */
  static void run(InstanceActivitiesImpl activities, List<String> ids, List<Long> latencies, List<Long> planTimes,
      AtomicInteger reserved) throws Exception {
    AtomicInteger next = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    List<Future<?>> futures = new ArrayList<>();
    for (int t = 0; t < THREADS; t++) {
      futures.add(pool.submit(() -> {
        int i;
        while ((i = next.getAndIncrement()) < ids.size()) {
          String id = ids.get(i);
          long t0 = System.nanoTime();
          PlanTimer.Timed r = PlanTimer.reserve(activities, id);
          if (r.reserved()) {
            reserved.incrementAndGet();
          }
          latencies.add(System.nanoTime() - t0);
          planTimes.add(r.planNanos());
        }
        return null;
      }));
    }
    for (Future<?> f : futures) {
      f.get();
    }
    pool.shutdown();
  }

  /** Rows per multi-row INSERT while seeding. */
  static final int ROWS_PER_INSERT = 2000;

  /** Up hosts with 8 passthrough GPUs each (2 NUMA nodes, 4 PCI roots), and the instances to place. */
  static String seed(MariaDbPoolDataSource ds, int hosts, int instances, int gpus) throws Exception {
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
      // multi-row INSERTs (all values are generated here: UUIDs, numbers, fixed text)
      Rows hostRows = new Rows(s, "INSERT INTO hosts (id, name, hypervisor_uri, cpu_cores, cpu_mhz, memory_mb,"
          + " numa_nodes, state, resource_state) VALUES ");
      Rows devRows = new Rows(s, "INSERT INTO gpu_devices (id, host_id, bus_address, type, card_id, profile_id,"
          + " numa_node, pci_root) VALUES ");
      List<String> hostIds = new ArrayList<>();
      for (int h = 0; h < hosts; h++) {
        String hostId = UUID.randomUUID().toString();
        hostIds.add(hostId);
        hostRows.add(String.format("('%s', 'bench-%05d', 'test:///bench', 256, 3000, 1048576, 2, 'Up', 'Enabled')",
            hostId, h));
      }
      hostRows.flush(); // the devices' foreign key needs every host first
      for (String hostId : hostIds) {
        for (int g = 0; g < GPUS_PER_HOST; g++) {
          devRows.add(String.format("('%s', '%s', '0000:%02x:00.0', 'PCI', '%s', '%s', %d, '0000:0%d:01.0')",
              UUID.randomUUID(), hostId, 0x10 + g, card, profile, g / 4, g / 2));
        }
      }
      devRows.flush();
      Rows instRows = new Rows(s, "INSERT INTO instances (id, name, vm_name, account_id, state, vgpu_profile_id,"
          + " gpu_count, cpu_cores, cpu_mhz, memory_mb) VALUES ");
      for (int i = 0; i < instances; i++) {
        String id = UUID.randomUUID().toString();
        instRows.add(String.format("('%s', 'b%d', 'i-%s', '%s', 'Creating', '%s', %d, 1, 100, 128)",
            id, i, id, account, profile, gpus));
      }
      instRows.flush();
      c.commit();
    }
    return profile;
  }

  /** Collects the rows of one table and sends them as INSERTs of {@link #ROWS_PER_INSERT} rows. */
  static final class Rows {
    private final Statement s;
    private final String head;
    private final StringBuilder sql = new StringBuilder();
    private int n;

    Rows(Statement s, String head) {
      this.s = s;
      this.head = head;
    }

    void add(String row) throws java.sql.SQLException {
      sql.append(n == 0 ? head : ", ").append(row);
      if (++n == ROWS_PER_INSERT) {
        flush();
      }
    }

    void flush() throws java.sql.SQLException {
      if (n > 0) {
        s.execute(sql.toString());
        sql.setLength(0);
        n = 0;
      }
    }
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
