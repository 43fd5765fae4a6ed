package io.gpucloud.it;

import io.gpucloud.controlplane.instance.InstanceActivitiesImpl;
import io.gpucloud.controlplane.queue.Admission;
import io.gpucloud.controlplane.queue.AdmissionPass;
import io.gpucloud.migrations.Migrations;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.sqlobject.SqlObjectPlugin;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.mariadb.jdbc.MariaDbPoolDataSource;

/**
 * Admission with 1,000 waiting requests, on MariaDB (no Temporal, no libvirt): 125 hosts x 8 GPUs all held by
 * running deploys, 1,000 more 1-GPU requests Queued (three accounts, priorities 0..2). Latency: one holder
 * fails (its release, a real release path, writes the wake-up row), then the admission pass runs; from the
 * release's commit to the admitted request's reservation commit, p50 and p99 over 200 frees. Then whole hosts
 * free at once (8 GPUs, then 8 hosts = 64): admissions per second of the passes that follow. Also the
 * placement attempts each freed GPU cost (the goal: one, not one per waiter). Prints BENCH lines; asserts
 * only that each free admitted exactly one request.
 */
@Tag("bench")
class AdmissionBench {
  static final int HOSTS = 125;
  static final int GPUS_PER_HOST = ReservationBench.GPUS_PER_HOST;
  static final int WAITING = 1000;
  static final int FREES = 200;

  @Test
  void admissionLatencyAndRate() throws Exception {
    int port = Integer.parseInt(System.getProperty("bench.dbPort", System.getenv().getOrDefault("BENCH_DB_PORT", "0")));
    if (port == 0) {
      port = Stack.get().dbPort;
    }
    String db = "admission_bench_" + System.currentTimeMillis();
    try (Connection c = DriverManager.getConnection("jdbc:mariadb://127.0.0.1:" + port + "/", "root",
        Stack.rootPasswordFor(port))) {
      c.createStatement().execute("CREATE DATABASE " + db + " CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci");
    }
    MariaDbPoolDataSource ds = new MariaDbPoolDataSource("jdbc:mariadb://127.0.0.1:" + port + "/" + db + "?user=root"
        + "&password=" + Stack.rootPasswordFor(port) + "&transactionIsolation=READ-COMMITTED&maxPoolSize=12");
    try {
      Migrations.migrate(ds);
      int holders = HOSTS * GPUS_PER_HOST;
      ReservationBench.seed(ds, HOSTS, holders + WAITING, 1);
      Jdbi jdbi = Jdbi.create(ds).installPlugin(new SqlObjectPlugin());
      InstanceActivitiesImpl activities = new InstanceActivitiesImpl(jdbi);
      List<String> ids = ReservationBench.instanceIds(ds);
      List<String> holding = ids.subList(0, holders);
      List<String> waiting = ids.subList(holders, ids.size());
      int held = 0;
      for (String id : holding) {
        if (activities.reserve(id, List.of()).reserved()) { // every GPU held
          held++;
        }
      }
      if (held != holders) {
        throw new AssertionError("only " + held + " of " + holders + " holders placed");
      }
      queue(ds, waiting);
      AtomicInteger woken = new AtomicInteger();
      Admission admission = new Admission(jdbi, new AdmissionPass(jdbi, activities.admitter(), id -> woken.incrementAndGet()),
          Duration.ofHours(1));
      admission.drain(Duration.ZERO); // the enqueue wake-ups: nothing fits, nothing admitted
      if (woken.get() != 0) {
        throw new AssertionError("admitted " + woken.get() + " with every GPU held");
      }
      // warm-up (JIT, buffer pool): 20 frees, not timed
      int next = 0;
      for (; next < 20; next++) {
        freeAndAdmit(activities, admission, holding.get(next), woken);
      }
      List<Long> latencies = new ArrayList<>();
      long attempts = 0;
      for (int i = 0; i < FREES; i++, next++) {
        long took = freeAndAdmit(activities, admission, holding.get(next), woken);
        latencies.add(took);
        attempts += admission.lastPass().attempts();
      }
      Collections.sort(latencies);
      System.out.printf("BENCH admission: %d waiting (1-GPU, 3 accounts, priorities 0..2), %d hosts x %d GPUs all held:"
              + " capacity freed to Reserved p50 %.1f ms, p99 %.1f ms, max %.1f ms over %d frees; %.2f placement attempts"
              + " per freed GPU%n", WAITING - 20, HOSTS, GPUS_PER_HOST, latencies.get(FREES / 2) / 1e6,
          latencies.get((int) (FREES * 0.99)) / 1e6, latencies.get(FREES - 1) / 1e6, FREES, attempts / (double) FREES);

      for (int hostsFreed : new int[] {1, 8}) {
        List<String> batch = holding.subList(next, next + hostsFreed * GPUS_PER_HOST);
        next += batch.size();
        for (String id : batch) {
          activities.fail(id, "bench: freed");
        }
        int before = woken.get();
        long t0 = System.nanoTime();
        admission.drain(Duration.ZERO);
        double seconds = (System.nanoTime() - t0) / 1e9;
        int admitted = woken.get() - before;
        System.out.printf("BENCH admission: %d GPUs freed at once (%d waiting): %d admitted in %.3f s = %.0f admissions/s%n",
            batch.size(), WAITING - next, admitted, seconds, admitted / seconds);
        if (admitted != batch.size()) {
          throw new AssertionError("freed " + batch.size() + ", admitted " + admitted);
        }
      }
      try (Connection c = ds.getConnection(); ResultSet rs = c.createStatement().executeQuery(
          "SELECT COUNT(*), COUNT(DISTINCT instance_id) FROM gpu_devices WHERE instance_id IS NOT NULL")) {
        rs.next();
        System.out.printf("BENCH admission check: %d devices held by %d instances, none twice%n", rs.getInt(1), rs.getInt(2));
      }
      admission.close();
    } finally {
      ds.close();
      try (Connection c = DriverManager.getConnection("jdbc:mariadb://127.0.0.1:" + port + "/", "root",
          Stack.rootPasswordFor(port))) {
        c.createStatement().execute("DROP DATABASE " + db);
      }
    }
  }

  /** One holder's release, then the admission pass: the time between the two commits, in ns. */
  static long freeAndAdmit(InstanceActivitiesImpl activities, Admission admission, String holder, AtomicInteger woken) {
    int before = woken.get();
    activities.fail(holder, "bench: freed");
    long t0 = System.nanoTime();
    admission.drain(Duration.ZERO);
    long took = System.nanoTime() - t0;
    if (woken.get() != before + 1) {
      throw new AssertionError("one GPU freed, " + (woken.get() - before) + " admitted");
    }
    return took;
  }

  /** The waiting requests: Queued, in three accounts, priorities 0..2, one request time each (FIFO). */
  static void queue(MariaDbPoolDataSource ds, List<String> ids) throws Exception {
    try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
      c.setAutoCommit(false);
      String domain;
      try (ResultSet rs = s.executeQuery("SELECT domain_id FROM accounts LIMIT 1")) {
        rs.next();
        domain = rs.getString(1);
      }
      List<String> accounts = new ArrayList<>();
      for (int a = 0; a < 3; a++) {
        String id = java.util.UUID.randomUUID().toString();
        accounts.add(id);
        s.execute("INSERT INTO accounts (id, name, domain_id) VALUES ('" + id + "', 'waiting-" + a + "', '" + domain + "')");
        for (String r : new String[] {"GPU", "INSTANCE", "CPU", "MEMORY"}) {
          s.execute("INSERT INTO resource_limits (scope_type, scope_id, resource, `max`) VALUES ('ACCOUNT', '" + id
              + "', '" + r + "', " + (r.equals("GPU") ? 2000 : -1) + ")");
        }
      }
      for (int i = 0; i < ids.size(); i++) {
        String id = ids.get(i);
        s.execute("UPDATE instances SET state = 'Queued', account_id = '" + accounts.get(i % 3) + "' WHERE id = '" + id + "'");
        s.execute("INSERT INTO queue_requests (instance_id, pool_key, priority, max_wait_ms, requested_at, queued_at)"
            + " SELECT i.id, p.card_id, " + (i % 3) + ", 3600000, NOW(6) - INTERVAL " + (ids.size() - i)
            + " SECOND, NOW(6) FROM instances i JOIN vgpu_profiles p ON p.id = i.vgpu_profile_id WHERE i.id = '" + id + "'");
        s.execute("INSERT INTO admission_wakeups (cause) VALUES ('queued')");
      }
      c.commit();
    }
  }
}
