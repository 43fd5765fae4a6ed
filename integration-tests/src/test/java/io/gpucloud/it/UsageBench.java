package io.gpucloud.it;

import io.gpucloud.activities.discovery.DiscoveredGpu;
import io.gpucloud.activities.discovery.DiscoveryReport;
import io.gpucloud.activities.discovery.FullPassthrough;
import io.gpucloud.activities.host.HostRegistration;
import io.gpucloud.activities.usage.UsageExportResult;
import io.gpucloud.activities.usage.UsagePeriodResult;
import io.gpucloud.activities.usage.UsagePeriods;
import io.gpucloud.controlplane.inventory.InventoryActivitiesImpl;
import io.gpucloud.controlplane.usage.UsageActivitiesImpl;
import io.gpucloud.migrations.Migrations;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.sqlobject.SqlObjectPlugin;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.mariadb.jdbc.MariaDbPoolDataSource;

/**
 * Usage and inventory at scale, on MariaDB only (no Temporal, no libvirt): one hourly usage period of
 * 100,000 instances with histories that start, stop and end inside it; the export of a day of 2.4 M
 * records (50,000 instances x 24 periods x 2 types) in a JVM of -Xmx256m (the integration tests' heap),
 * showing the streamed export keeps memory bounded; and reconciling discovery reports of 1,000 hosts x
 * 8 GPUs through the control plane's reconcile activity. Run with `make bench`; prints figures, asserts
 * only that the work was done.
 */
@Tag("bench")
class UsageBench {
  static final int INSTANCES = 100_000;
  static final int EXPORT_INSTANCES = 50_000;
  static final int HOSTS = 1000;
  static final int GPUS_PER_HOST = 8;
  /** The generated period (closed long ago) and the exported day. */
  static final Instant PERIOD = Instant.parse("2026-01-01T10:00:00Z");
  static final LocalDate EXPORT_DAY = LocalDate.parse("2026-01-05");

  static int port;
  static String db;
  static MariaDbPoolDataSource ds;
  static Jdbi jdbi;

  @BeforeAll
  static void database() throws Exception {
    port = Integer.parseInt(System.getProperty("bench.dbPort", System.getenv().getOrDefault("BENCH_DB_PORT", "0")));
    if (port == 0) {
      port = Stack.get().dbPort;
    }
    db = "bench_usage_" + System.currentTimeMillis();
    try (Connection c = DriverManager.getConnection("jdbc:mariadb://127.0.0.1:" + port + "/", "root", Stack.rootPasswordFor(port))) {
      c.createStatement().execute("CREATE DATABASE " + db + " CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci");
    }
    ds = new MariaDbPoolDataSource("jdbc:mariadb://127.0.0.1:" + port + "/" + db
        + "?user=root&password=" + Stack.rootPasswordFor(port) + "&transactionIsolation=READ-COMMITTED&maxPoolSize=8&connectionTimeZone=UTC"
        + "&forceConnectionTimeZoneToSession=true");
    Migrations.migrate(ds);
    jdbi = Jdbi.create(ds).installPlugin(new SqlObjectPlugin());
    sql("INSERT INTO domains (id, name, parent_id, path) VALUES ('d0000000-0000-0000-0000-000000000000', 'ROOT',"
        + " NULL, '/ROOT/')",
        "INSERT INTO accounts (id, name, domain_id) VALUES ('a0000000-0000-0000-0000-000000000000', 'bench',"
        + " 'd0000000-0000-0000-0000-000000000000')",
        "INSERT INTO gpu_cards (id, vendor_id, device_id, vendor_name, device_name, name) VALUES"
        + " ('c0000000-0000-0000-0000-000000000000', '10de', 'b0b0', 'NVIDIA', 'Bench', 'Bench Card')",
        "INSERT INTO vgpu_profiles (id, card_id, name) VALUES ('p0000000-0000-0000-0000-000000000000',"
        + " 'c0000000-0000-0000-0000-000000000000', 'passthrough')",
        "INSERT INTO offerings (id, name, cpu_cores, cpu_mhz, memory_mb, vgpu_profile_id, gpu_count) VALUES"
        + " ('o0000000-0000-0000-0000-000000000000', 'bench-1gpu', 4, 2000, 8192,"
        + " 'p0000000-0000-0000-0000-000000000000', 1)",
        "INSERT INTO templates (id, name, os_type, root_disk_gb, image_path) VALUES"
        + " ('t0000000-0000-0000-0000-000000000000', 'ubuntu', 'Ubuntu', 20, '/img')",
        "INSERT INTO hosts (id, name, hypervisor_uri, cpu_cores, cpu_mhz, memory_mb, state, resource_state)"
        + " SELECT CONCAT('h0000000-0000-0000-0000-', LPAD(seq, 12, '0')), CONCAT('usage-host-', seq),"
        + " 'test:///bench', 256, 3000, 1048576, 'Up', 'Enabled' FROM seq_1_to_100");
  }

  @AfterAll
  static void drop() throws Exception {
    ds.close();
    try (Connection c = DriverManager.getConnection("jdbc:mariadb://127.0.0.1:" + port + "/", "root", Stack.rootPasswordFor(port))) {
      c.createStatement().execute("DROP DATABASE " + db);
    }
  }

  static void sql(String... statements) throws Exception {
    try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
      s.execute("SET time_zone = '+00:00'");
      for (String q : statements) {
        s.execute(q);
      }
    }
  }

  /** A change for every instance whose seq % 6 is {@code kind}, at the period start plus {@code offset}. */
  static String change(int kind, String state, String offset, boolean host) {
    return "INSERT INTO instance_state_changes (instance_id, state, host_id, changed_at)"
        + " SELECT CONCAT('00000000-0000-0000-0000-', LPAD(seq, 12, '0')), '" + state + "', "
        + (host ? "CONCAT('h0000000-0000-0000-0000-', LPAD(1 + seq % 100, 12, '0'))" : "NULL")
        + ", TIMESTAMP'2026-01-01 10:00:00' + " + offset + " FROM seq_1_to_" + INSTANCES
        + " WHERE seq % 6 = " + kind;
  }

  @Test
  void generateOnePeriodOf100000Instances() throws Exception {
    long t0 = System.nanoTime();
    sql("INSERT INTO instances (id, name, vm_name, account_id, state, host_id, offering_id, template_id,"
        + " vgpu_profile_id, gpu_count) SELECT CONCAT('00000000-0000-0000-0000-', LPAD(seq, 12, '0')),"
        + " CONCAT('vm-', seq), CONCAT('i-bench-', seq), 'a0000000-0000-0000-0000-000000000000', 'Running', NULL,"
        + " 'o0000000-0000-0000-0000-000000000000', 't0000000-0000-0000-0000-000000000000',"
        + " 'p0000000-0000-0000-0000-000000000000', 1 FROM seq_1_to_" + INSTANCES,
        "DELETE FROM instance_state_changes", // the triggers' rows are at the present time: histories replace them
        // every instance but the ones created inside the period (kind 1) was created hours before it
        "INSERT INTO instance_state_changes (instance_id, state, host_id, changed_at)"
        + " SELECT CONCAT('00000000-0000-0000-0000-', LPAD(seq, 12, '0')), 'Creating', NULL,"
        + " TIMESTAMP'2026-01-01 05:00:00' + INTERVAL seq % 3600 SECOND FROM seq_1_to_" + INSTANCES
        + " WHERE seq % 6 <> 1",
        change(0, "Running", "INTERVAL -4 HOUR", true),                          // 0: runs the whole period
        change(1, "Creating", "INTERVAL seq % 1800 SECOND", false),              // 1: created inside
        change(1, "Running", "INTERVAL 60 + seq % 1800 SECOND", true),
        change(2, "Running", "INTERVAL -4 HOUR", true),                          // 2: stopped inside
        change(2, "Stopping", "INTERVAL 600 + seq % 600 SECOND", true),
        change(2, "Stopped", "INTERVAL 630 + seq % 600 SECOND", true),
        change(3, "Stopped", "INTERVAL -4 HOUR", true),                          // 3: started inside elsewhere
        change(3, "Starting", "INTERVAL 1200 SECOND", true),
        change(3, "Running", "INTERVAL 1230 + seq % 60 SECOND", true),
        change(4, "Running", "INTERVAL -4 HOUR", true),                          // 4: destroyed inside
        change(4, "Destroying", "INTERVAL 1800 + seq % 900 SECOND", true),
        change(4, "Destroyed", "INTERVAL 1830 + seq % 900 SECOND", false),
        change(5, "Running", "INTERVAL -4 HOUR", true),                          // 5: destroyed before
        change(5, "Destroying", "INTERVAL -2 HOUR", true),
        change(5, "Destroyed", "INTERVAL -110 MINUTE", false));
    double seed = (System.nanoTime() - t0) / 1e9;
    UsageActivitiesImpl usage = new UsageActivitiesImpl(jdbi, new UsagePeriods(Duration.ofHours(1)),
        Files.createTempDirectory("usage-bench"));

    long t1 = System.nanoTime();
    UsagePeriodResult r = usage.generatePeriod(PERIOD, PERIOD.plusSeconds(3600), UsagePeriods.workflowId(PERIOD));
    double seconds = (System.nanoTime() - t1) / 1e9;
    long t2 = System.nanoTime();
    UsagePeriodResult again = usage.generatePeriod(PERIOD, PERIOD.plusSeconds(3600), UsagePeriods.workflowId(PERIOD));
    double rerun = (System.nanoTime() - t2) / 1e9;

    System.out.printf("BENCH usage generate %d instances: %.2f s (target <= 20 s); %d instances existed in the"
        + " period, %d records written (history seeded in %.1f s); re-run %.3f s wrote %d%n", INSTANCES, seconds,
        r.instances(), r.written(), seed, rerun, again.written());
    int expected = INSTANCES - INSTANCES / 6; // kind 5 was destroyed before the period
    if (r.instances() != expected || r.written() != 2 * expected || again.written() != 0) {
      throw new AssertionError("expected " + expected + " instances, got " + r + " then " + again);
    }
  }

  @Test
  void exportADayOf2400000Records() throws Exception {
    long t0 = System.nanoTime();
    // 24 statements of 100,000 rows: one statement per period keeps each transaction moderate
    List<String> inserts = new ArrayList<>();
    for (int p = 0; p < 24; p++) {
      inserts.add("INSERT INTO usage_records (instance_id, usage_type, period_start, period_end, raw_usage,"
          + " usage_seconds, instance_name, account_id, account_name, domain_id, domain_path, project_id, offering_id,"
          + " offering_name, template_id, template_name, host_id, host_name, gpu_card_id, gpu_card_name,"
          + " vgpu_profile_id, vgpu_profile_name, gpu_count)"
          + " SELECT CONCAT('e0000000-0000-0000-0000-', LPAD(i.seq, 12, '0')), t.seq,"
          + " TIMESTAMP'" + EXPORT_DAY + " 00:00:00' + INTERVAL " + p + " HOUR,"
          + " TIMESTAMP'" + EXPORT_DAY + " 00:00:00' + INTERVAL " + (p + 1) + " HOUR,"
          + " IF(t.seq = 1, ROUND((i.seq % 3600) / 3600, 6), 1), IF(t.seq = 1, i.seq % 3600, 3600),"
          + " CONCAT('vm-', i.seq, IF(i.seq % 1000 = 0, ', \"quoted\"', '')), 'a0000000-0000-0000-0000-000000000000',"
          + " 'bench', 'd0000000-0000-0000-0000-000000000000', '/ROOT/', NULL, 'o0000000-0000-0000-0000-000000000000',"
          + " 'bench-1gpu', 't0000000-0000-0000-0000-000000000000', 'ubuntu',"
          + " CONCAT('h0000000-0000-0000-0000-', LPAD(1 + i.seq % 100, 12, '0')), CONCAT('usage-host-', 1 + i.seq % 100),"
          + " 'c0000000-0000-0000-0000-000000000000', 'Bench Card', 'p0000000-0000-0000-0000-000000000000',"
          + " 'passthrough', 1 FROM seq_1_to_" + EXPORT_INSTANCES + " i JOIN seq_1_to_2 t");
    }
    sql(inserts.toArray(String[]::new));
    double seed = (System.nanoTime() - t0) / 1e9;
    Path dir = Files.createTempDirectory("usage-bench-export");
    UsageActivitiesImpl usage = new UsageActivitiesImpl(jdbi, new UsagePeriods(Duration.ofHours(1)), dir);
    System.gc();
    List<MemoryPoolMXBean> heap = ManagementFactory.getMemoryPoolMXBeans().stream()
        .filter(p -> p.getType() == MemoryType.HEAP).toList();
    heap.forEach(MemoryPoolMXBean::resetPeakUsage);

    long t1 = System.nanoTime();
    UsageExportResult r = usage.writeExport(EXPORT_DAY);
    double seconds = (System.nanoTime() - t1) / 1e9;

    long peak = heap.stream().mapToLong(p -> p.getPeakUsage().getUsed()).sum();
    long bytes = r.files().stream().mapToLong(UsageExportResult.ExportedFile::bytes).sum();
    System.out.printf("BENCH usage export %d records: %.1f s (%.0f records/s), %d rows, %.1f MB in %d files (csv %.1f MB,"
        + " jsonl %.1f MB); heap: peak used %.0f MB of max %.0f MB (seeded in %.1f s)%n",
        24L * EXPORT_INSTANCES * 2, seconds, r.records() / seconds, r.records(), bytes / 1e6, r.files().size(),
        r.files().get(0).bytes() / 1e6, r.files().get(1).bytes() / 1e6, peak / 1048576.0,
        Runtime.getRuntime().maxMemory() / 1048576.0, seed);
    if (r.records() != 24L * EXPORT_INSTANCES * 2) {
      throw new AssertionError("exported " + r.records() + " records");
    }
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  static DiscoveredGpu gpu(int g) {
    String address = String.format("0000:%02x:00.0", 0x10 + g);
    return new DiscoveredGpu(address, "10de", "b0b1", "NVIDIA", "Bench Reconcile", "vfio-pci",
        "3D controller [0302]", Integer.toString(20 + g), String.format("0000:0%d:01.0", g / 2), g / 4, 0, 0,
        new FullPassthrough(true, null, null), 1, 0L, 1, 0, 0, List.of(), List.of());
  }

  @Test
  void reconcile1000HostsOf8Gpus() {
    InventoryActivitiesImpl inventory = new InventoryActivitiesImpl(jdbi);
    List<String> names = new ArrayList<>();
    for (int h = 0; h < HOSTS; h++) {
      String name = String.format("recon-%04d", h);
      names.add(name);
      inventory.registerHost(new HostRegistration(name, "qemu+tcp://" + name + "/system", 128, 2500, 1048576, 2,
          "pool", true));
    }
    List<DiscoveredGpu> gpus = new ArrayList<>();
    for (int g = 0; g < GPUS_PER_HOST; g++) {
      gpus.add(gpu(g));
    }
    DiscoveryReport report = new DiscoveryReport(gpus);

    long t0 = System.nanoTime();
    int inserted = 0;
    for (String name : names) {
      inserted += inventory.reconcile(name, "discover-" + name, report).devicesAdded();
    }
    double first = (System.nanoTime() - t0) / 1e9;
    long t1 = System.nanoTime();
    for (String name : names) {
      inventory.reconcile(name, "discover-" + name + "-2", report);
    }
    double again = (System.nanoTime() - t1) / 1e9;

    System.out.printf("BENCH reconcile %d hosts x %d GPUs: %.1f s (target <= 30 s), %d devices added; rediscovery"
        + " with nothing changed %.1f s%n", HOSTS, GPUS_PER_HOST, first, inserted, again);
    if (inserted != HOSTS * GPUS_PER_HOST) {
      throw new AssertionError("added " + inserted + " devices");
    }
  }
}
