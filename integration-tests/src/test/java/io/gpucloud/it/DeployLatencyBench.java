package io.gpucloud.it;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * End-to-end deploy latency on the local stack (Temporal + MariaDB + service + agent workers on the
 * libvirt test driver), at 1 and 20 concurrent. Latency = from the instance row being written by
 * POST /instances to the Running commit (instances.created_at -> updated_at, both set by MariaDB),
 * so client polling adds nothing. Run with `make bench`; prints figures, asserts nothing about time.
 */
@Tag("bench")
class DeployLatencyBench {

  @Test
  void deployLatency() throws Exception {
    Stack stack = Stack.get();
    Stack.await("race hosts discovered", Duration.ofMinutes(2), () -> Stack.list(stack.get("/hosts")).stream()
        .filter(h -> h.path("name").asText().matches("R1|R2") && h.path("gpuTotal").asInt() > 0).count() == 2);
    String template = Tenants.template(stack);
    String offering = Tenants.offering(stack, "ACS Race Card", "passthrough", 1, 1, 100, 128);
    Tenants.Tenant warm = Tenants.tenant(stack, "warm", Tenants.unlimited());
    run(stack, warm, offering, template, 1, 3, false); // warm-up: JIT, connection pools
    for (int concurrency : new int[] {1, 20}) {
      Tenants.Tenant t = Tenants.tenant(stack, "bench" + concurrency, Tenants.unlimited());
      run(stack, t, offering, template, concurrency, concurrency == 1 ? 15 : 20, true);
      // free the GPUs again for the next round
      try (Connection c = stack.db()) {
        c.createStatement().executeUpdate("UPDATE gpu_devices SET state = 'Free', instance_id = NULL"
            + " WHERE instance_id IN (SELECT id FROM instances WHERE account_id = '" + t.accountId() + "')");
        c.createStatement().executeUpdate("UPDATE instances SET state = 'Destroyed', host_id = NULL,"
            + " quota_counted = 0 WHERE account_id = '" + t.accountId() + "'");
      }
    }
  }

  static void run(Stack stack, Tenants.Tenant t, String offering, String template, int concurrency, int total,
      boolean report) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(concurrency);
    List<Future<String>> ids = new ArrayList<>();
    for (int i = 0; i < total; i++) {
      String name = "lat-" + i;
      ids.add(pool.submit(() -> {
        Stack.Response r = Tenants.deploy(stack, t.key(), name, offering, template, null);
        String id = r.body().path("id").asText();
        stack.awaitWorkflow("deploy-" + id, Duration.ofSeconds(60));
        return id;
      }));
    }
    List<Double> ms = new ArrayList<>();
    try (Connection c = stack.db();
        PreparedStatement ps = c.prepareStatement("SELECT state, TIMESTAMPDIFF(MICROSECOND, created_at, updated_at)"
            + " FROM instances WHERE id = ?")) {
      for (Future<String> f : ids) {
        ps.setString(1, f.get());
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          if (rs.getString(1).equals("Running")) {
            ms.add(rs.getLong(2) / 1000.0);
          }
        }
      }
    }
    pool.shutdown();
    Collections.sort(ms);
    if (report) {
      System.out.printf("BENCH deploy latency at %d concurrent: %d of %d Running; p50 %.0f ms, p99 %.0f ms, max %.0f ms%n",
          concurrency, ms.size(), total, ms.get(ms.size() / 2), ms.get(Math.min(ms.size() - 1, (int) (ms.size() * 0.99))),
          ms.get(ms.size() - 1));
    }
  }
}
