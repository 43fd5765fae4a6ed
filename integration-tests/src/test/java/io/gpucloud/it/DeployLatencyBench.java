package io.gpucloud.it;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * End-to-end deploy latency on the local stack (Temporal + MariaDB + service + agent workers on the
 * libvirt test driver), at 1 and 20 concurrent. Latency = from the instance row being written by
 * POST /instances to the Running commit (instances.created_at -> updated_at, both set by MariaDB),
 * so client polling adds nothing. Each client waits as a tenant does, polling GET /instances/{id}
 * every 500 ms.
 *
 * <p>Steady state, not start-up: the stack is warmed with the same deploys (JIT, pools, caches) before
 * anything is measured. "20 concurrent" is bursts of 20 deploys submitted at once; the figures are
 * over all bursts. Run with `make bench`; prints figures, asserts nothing about time.
 */
@Tag("bench")
class DeployLatencyBench {
  static final int WARM_UP_BURSTS = 6;
  static final int SINGLE_DEPLOYS = 20;
  static final int BURSTS = 5;

  @Test
  void deployLatency() throws Exception {
    Stack stack = Stack.get();
    Stack.await("race hosts discovered", Duration.ofMinutes(2), () -> Stack.list(stack.get("/hosts")).stream()
        .filter(h -> h.path("name").asText().matches("R1|R2") && h.path("gpuTotal").asInt() > 0).count() == 2);
    String template = Tenants.template(stack);
    String offering = Tenants.offering(stack, "ACS Race Card", "passthrough", 1, 1, 100, 128);
    Tenants.Tenant t = Tenants.tenant(stack, "bench", Tenants.unlimited());
    for (int i = 0; i < WARM_UP_BURSTS; i++) {
      round(stack, t, offering, template, 20);
    }
    List<Double> single = new ArrayList<>();
    for (int i = 0; i < SINGLE_DEPLOYS; i++) {
      single.addAll(round(stack, t, offering, template, 1));
    }
    report(1, single, SINGLE_DEPLOYS);
    List<Double> burst = new ArrayList<>();
    int metricsPort = Integer.parseInt(stack.env.get("TEMPORAL_METRICS_PORT"));
    TaskHandOffs.Count tasksBefore = TaskHandOffs.sample(metricsPort);
    Map<String, Double> cpuBefore = CpuMeter.sample(stack.dataDir.resolve("pids"));
    for (int i = 0; i < BURSTS; i++) {
      burst.addAll(round(stack, t, offering, template, 20));
    }
    Map<String, Double> cpuAfter = CpuMeter.sample(stack.dataDir.resolve("pids"));
    TaskHandOffs.Count tasksAfter = TaskHandOffs.sample(metricsPort);
    report(20, burst, BURSTS * 20);
    System.out.println("BENCH Temporal task hand-offs at 20 concurrent: " + tasksAfter.since(tasksBefore));
    if (!cpuAfter.isEmpty()) {
      System.out.println("BENCH CPU per deploy at 20 concurrent: "
          + CpuMeter.perDeploy(cpuBefore, cpuAfter, BURSTS * 20));
      // rough: a burst's median deploy is done about when 10 deploys' worth of CPU has run on these
      // cores (a little of it, such as Temporal's closing visibility write, may run after the commit)
      double perDeploy = CpuMeter.totalMs(cpuBefore, cpuAfter, BURSTS * 20);
      int cores = Runtime.getRuntime().availableProcessors();
      System.out.printf("BENCH rough p50 floor at 20 concurrent for that CPU (10 deploys' worth on %d cores):"
          + " %.0f ms%n", cores, 10 * perDeploy / cores);
    }
  }

  /** {@code n} deploys at once; their latencies (Running ones); then their GPUs are free again. */
  static List<Double> round(Stack stack, Tenants.Tenant t, String offering, String template, int n) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(n);
    List<Future<String>> ids = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      String name = "lat-" + i;
      ids.add(pool.submit(() -> {
        Stack.Response r = Tenants.deploy(stack, t.key(), name, offering, template, null);
        String id = r.body().path("id").asText();
        Stack.await("instance " + id + " to leave Creating", Duration.ofSeconds(60),
            () -> !"Creating".equals(stack.call("GET", "/instances/" + id, null, t.key()).body().path("state").asText()),
            Duration.ofMillis(500));
        return id;
      }));
    }
    List<Double> ms = new ArrayList<>();
    List<String> done = new ArrayList<>();
    try (Connection c = stack.db();
        PreparedStatement ps = c.prepareStatement("SELECT state, TIMESTAMPDIFF(MICROSECOND, created_at, updated_at)"
            + " FROM instances WHERE id = ?")) {
      for (Future<String> f : ids) {
        String id = f.get();
        done.add(id);
        ps.setString(1, id);
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          if (rs.getString(1).equals("Running")) {
            ms.add(rs.getLong(2) / 1000.0);
          }
        }
      }
      // free the GPUs for the next round; the domains stay defined on the simulated hosts (own names)
      String in = String.join(",", done.stream().map(id -> "'" + id + "'").toList());
      c.createStatement().executeUpdate("UPDATE gpu_devices SET state = 'Free', instance_id = NULL"
          + " WHERE instance_id IN (" + in + ")");
      c.createStatement().executeUpdate("UPDATE instances SET state = 'Destroyed', host_id = NULL,"
          + " quota_counted = 0 WHERE id IN (" + in + ")");
    }
    pool.shutdown();
    return ms;
  }

  static void report(int concurrency, List<Double> ms, int total) {
    Collections.sort(ms);
    System.out.printf("BENCH deploy latency at %d concurrent: %d of %d Running; p50 %.0f ms, p99 %.0f ms, max %.0f ms%n",
        concurrency, ms.size(), total, ms.get(ms.size() / 2), ms.get(Math.min(ms.size() - 1, (int) (ms.size() * 0.99))),
        ms.get(ms.size() - 1));
  }
}
