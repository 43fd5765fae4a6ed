package io.gpucloud.it;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Stop, start, migrate and destroy latency on a private local stack, at 1 and 20 concurrent, and, side
 * by side in the same run, deploy and a do-nothing workflow shaped like Deploy ({@link BaselineWorkflow})
 * at 20 concurrent: the ratio to the baseline is the orchestrator's own cost over Temporal's.
 *
 * <p>Instances run on the bench-only hosts B1 and B2 (24 GPUs each of a card no other host has, one
 * shared storage pool, so each can cold-migrate to the other). Latency = from the request's
 * transitional state (Stopping, Starting, Migrating, Destroying: written in the request's own
 * transaction) to the next stable state, both times from {@code instance_state_changes} (written by
 * MariaDB's trigger), so client polling adds nothing. The bench waits for a round by reading the
 * instances' states from the database every 100 ms. Steady state: everything is warmed up first.
 *
 * <p>The ratios: deploy (DeployLatencyBench's rounds, on R1/R2) against baseline bursts of 20 taking
 * turns with its bursts; stop and start against the baseline bursts of 20 run right after each timed
 * lifecycle burst of 20. Every timed burst waits {@link #SETTLE_MS} first. The baseline's workers run in this JVM (its options: C1 only and the serial GC
 * unless -Dit.jvmArgs says otherwise), the service's in the service's.
 * Run with `make bench`; it prints figures and asserts nothing about time.
 */
@Tag("bench")
class LifecycleLatencyBench {
  static final int N = 20;
  static final int SINGLES = 10;
  /** Stop/start/stop/migrate/start cycles of 20 at once. */
  static final int BURST_CYCLES = 2;
  static final int RATIO_BURSTS = 5;
  /**
   * A pause before every timed burst: an operation's instance reaches its stable state a little before
   * its workflow closes (events, the close itself), and a burst sent at once would share the CPU with
   * that tail (a baseline burst right after a lifecycle burst measured 815 ms p50 against 481 ms between
   * deploy bursts).
   */
  static final long SETTLE_MS = 1500;
  static final Set<String> STABLE = Set.of("Running", "Stopped", "Error", "Destroyed");

  enum Op {
    STOP("Stopping", "Stopped"), START("Starting", "Running"), MIGRATE("Migrating", "Stopped"),
    DESTROY("Destroying", "Destroyed");

    final String transitional;
    final String end;

    Op(String transitional, String end) {
      this.transitional = transitional;
      this.end = end;
    }
  }

  Stack stack;
  Tenants.Tenant tenant;
  String offering;
  String template;
  final Map<Op, List<Double>> single = new LinkedHashMap<>();
  final Map<Op, List<Double>> burst = new LinkedHashMap<>();
  final Map<Op, int[]> counts = new HashMap<>(); // per concurrency: {requested, reached the end state}
  BaselineWorkflow.Bench baseline;
  /** Baseline bursts taking turns with the timed lifecycle bursts of 20 (one after each). */
  final List<Double> baseBesideOps = new ArrayList<>();
  /** Per timed burst of 20: its p50 over the p50 of the baseline burst next to it (the machine's speed drifts). */
  final Map<String, List<Double>> pairRatios = new LinkedHashMap<>();

  @Test
  void lifecycleLatency() throws Exception {
    stack = Stack.withBenchHosts();
    stack.awaitHosts("B1", "B2", "R1", "R2");
    template = Tenants.template(stack);
    offering = Tenants.offering(stack, "ACS Bench Card", "passthrough", 1, 1, 100, 128);
    String raceOffering = Tenants.offering(stack, "ACS Race Card", "passthrough", 1, 1, 100, 128);
    tenant = Tenants.tenant(stack, "lcbench", Tenants.unlimited());
    for (Op op : Op.values()) {
      single.put(op, new ArrayList<>());
      burst.put(op, new ArrayList<>());
    }
    try (BaselineWorkflow.Bench baseline = BaselineWorkflow.Bench.start(stack.temporal())) {
      this.baseline = baseline;
      // warm-up: deploys, the baseline, and one of each operation at 20 concurrent, not timed
      for (int i = 0; i < 3; i++) {
        DeployLatencyBench.round(stack, tenant, raceOffering, template, N);
        baseline.burst(N);
      }
      List<String> warm = deployAll(N);
      cycle(warm, null);
      op(Op.DESTROY, warm, null);

      // 1 concurrent
      List<String> ones = deployAll(SINGLES);
      for (String id : ones) {
        List<String> one = List.of(id);
        cycle(one, single);
        op(Op.DESTROY, one, single);
      }
      // 20 concurrent
      List<String> many = deployAll(N);
      for (int c = 0; c < BURST_CYCLES; c++) {
        cycle(many, burst);
      }
      op(Op.DESTROY, many, burst);
      many = deployAll(N);
      op(Op.DESTROY, many, burst);
      for (Op op : Op.values()) {
        report(op, 1, single.get(op));
      }
      for (Op op : Op.values()) {
        report(op, N, burst.get(op));
      }

      // the ratio: deploy and the baseline, bursts of 20 taking turns on the same stack
      List<Double> deploy = new ArrayList<>();
      List<Double> base = new ArrayList<>();
      for (int i = 0; i < RATIO_BURSTS; i++) {
        settle();
        List<Double> b = baseline.burst(N);
        settle();
        List<Double> d = DeployLatencyBench.round(stack, tenant, raceOffering, template, N);
        base.addAll(b);
        deploy.addAll(d);
        pairRatios.computeIfAbsent("deploy", k -> new ArrayList<>()).add(p(d, 0.5) / p(b, 0.5));
      }
      DeployLatencyBench.report(N, new ArrayList<>(deploy), RATIO_BURSTS * N);
      System.out.println("BENCH baseline (Deploy-shaped do-nothing workflow) at " + N + " concurrent: "
          + summary(base));
      System.out.println("BENCH baseline at " + N + " concurrent, between the lifecycle bursts: "
          + summary(baseBesideOps));
      double b50 = p(base, 0.5);
      System.out.printf("BENCH deploy p50 / baseline p50 at %d concurrent: %.2f (%.0f ms / %.0f ms)%n", N,
          p(deploy, 0.5) / b50, p(deploy, 0.5), b50);
      // stop and start against the baseline bursts that took turns with them
      double o50 = p(baseBesideOps, 0.5);
      System.out.printf("BENCH stop p50 / baseline p50 at %d concurrent: %.2f (%.0f ms / %.0f ms)%n", N,
          p(burst.get(Op.STOP), 0.5) / o50, p(burst.get(Op.STOP), 0.5), o50);
      System.out.printf("BENCH start p50 / baseline p50 at %d concurrent: %.2f (%.0f ms / %.0f ms)%n", N,
          p(burst.get(Op.START), 0.5) / o50, p(burst.get(Op.START), 0.5), o50);
      for (Map.Entry<String, List<Double>> e : pairRatios.entrySet()) {
        System.out.printf("BENCH %s p50 / baseline p50 at %d concurrent, burst by burst (each against the baseline"
            + " burst next to it): median %.2f (%s)%n", e.getKey(), N, p(e.getValue(), 0.5),
            String.join(", ", e.getValue().stream().map(r -> String.format("%.2f", r)).toList()));
      }
    }
  }

  /** Stop, start, stop, migrate (to the other bench host), start: the instances end Running. */
  void cycle(List<String> ids, Map<Op, List<Double>> into) throws Exception {
    op(Op.STOP, ids, into);
    op(Op.START, ids, into);
    op(Op.STOP, ids, into);
    op(Op.MIGRATE, ids, into);
    op(Op.START, ids, into);
  }

  /** Deploys {@code n} instances of the bench offering at once and waits until they are Running. */
  List<String> deployAll(int n) throws Exception {
    List<String> ids = parallel(n, i -> {
      Stack.Response r = Tenants.deploy(stack, tenant.key(), "lc-" + i, offering, template, null);
      check(r, "deploy");
      return r.body().path("id").asText();
    });
    Map<String, String> states = awaitStable(ids, "Creating");
    for (Map.Entry<String, String> e : states.entrySet()) {
      if (!e.getValue().equals("Running")) {
        throw new AssertionError("instance " + e.getKey() + " is " + e.getValue() + " after its deploy");
      }
    }
    return ids;
  }

  /**
   * Requests {@code op} on every instance at once, waits until each is in a stable state again, and adds
   * the latencies of those that reached the operation's end state to {@code into} (null: warm-up).
   */
  void op(Op op, List<String> ids, Map<Op, List<Double>> into) throws Exception {
    if (into != null) {
      settle();
    }
    long mark;
    try (Connection c = stack.db(); ResultSet rs = c.createStatement().executeQuery(
        "SELECT COALESCE(MAX(id), 0) FROM instance_state_changes")) {
      rs.next();
      mark = rs.getLong(1);
    }
    parallel(ids.size(), i -> {
      String id = ids.get(i);
      Stack.Response r = switch (op) {
        case STOP -> stack.call("POST", "/instances/" + id + "/stop", Map.of(), tenant.key());
        case START -> stack.call("POST", "/instances/" + id + "/start", null, tenant.key());
        case MIGRATE -> stack.admin("POST", "/instances/" + id + "/migrate", Map.of());
        case DESTROY -> stack.call("DELETE", "/instances/" + id, null, tenant.key());
      };
      check(r, op.name().toLowerCase());
      return id;
    });
    awaitStable(ids, op.transitional);
    if (into == null) {
      return;
    }
    List<Double> besideBase = null;
    if (into == burst) {
      settle();
      besideBase = baseline.burst(N); // the baseline under the same conditions, right after
      baseBesideOps.addAll(besideBase);
    }
    List<Double> thisBurst = new ArrayList<>();
    int[] n = counts.computeIfAbsent(op, k -> new int[4]);
    int slot = ids.size() == 1 ? 0 : 2;
    try (Connection c = stack.db(); PreparedStatement ps = c.prepareStatement("SELECT state, changed_at"
        + " FROM instance_state_changes WHERE instance_id = ? AND id > ? ORDER BY id")) {
      for (String id : ids) {
        ps.setString(1, id);
        ps.setLong(2, mark);
        Timestamp from = null;
        Timestamp to = null;
        String end = null;
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next() && end == null) {
            String state = rs.getString(1);
            if (from == null && state.equals(op.transitional)) {
              from = rs.getTimestamp(2);
            } else if (from != null && STABLE.contains(state)) {
              to = rs.getTimestamp(2);
              end = state;
            }
          }
        }
        n[slot]++;
        if (from != null && op.end.equals(end)) {
          n[slot + 1]++;
          thisBurst.add(micros(to) / 1000.0 - micros(from) / 1000.0);
        } else {
          System.err.println("LifecycleLatencyBench: " + op + " of " + id + " ended " + end);
        }
      }
    }
    into.get(op).addAll(thisBurst);
    if (besideBase != null && !thisBurst.isEmpty()) {
      pairRatios.computeIfAbsent(op.name().toLowerCase(), k -> new ArrayList<>())
          .add(p(thisBurst, 0.5) / p(besideBase, 0.5));
    }
  }

  static void settle() throws InterruptedException {
    Thread.sleep(SETTLE_MS);
  }

  static long micros(Timestamp t) {
    return t.getTime() / 1000 * 1_000_000 + t.getNanos() / 1000;
  }

  /** Polls the database every 100 ms until none of the instances is in {@code transitional}; their states. */
  Map<String, String> awaitStable(List<String> ids, String transitional) throws Exception {
    String in = String.join(",", ids.stream().map(id -> "'" + id + "'").toList());
    Instant deadline = Instant.now().plus(Duration.ofMinutes(3));
    try (Connection c = stack.db()) {
      while (true) {
        Map<String, String> states = new HashMap<>();
        try (ResultSet rs = c.createStatement().executeQuery("SELECT id, state FROM instances WHERE id IN (" + in + ")")) {
          while (rs.next()) {
            states.put(rs.getString(1), rs.getString(2));
          }
        }
        if (states.size() == ids.size() && states.values().stream().allMatch(STABLE::contains)) {
          return states;
        }
        if (Instant.now().isAfter(deadline)) {
          throw new AssertionError("instances still " + transitional + " after 3 minutes: " + states);
        }
        Thread.sleep(100);
      }
    }
  }

  interface Call<T> {
    T call(int i) throws Exception;
  }

  /** {@code n} calls at once, one thread each; their results in order. */
  static <T> List<T> parallel(int n, Call<T> call) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(n);
    try {
      List<Future<T>> fs = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        int k = i;
        fs.add(pool.submit(() -> call.call(k)));
      }
      List<T> out = new ArrayList<>();
      for (Future<T> f : fs) {
        out.add(f.get());
      }
      return out;
    } finally {
      pool.shutdown();
    }
  }

  static void check(Stack.Response r, String what) {
    if (r.status() != 202) {
      throw new AssertionError(what + " -> " + r.status() + " " + r.raw());
    }
  }

  void report(Op op, int concurrency, List<Double> ms) {
    int[] n = counts.getOrDefault(op, new int[4]);
    int slot = concurrency == 1 ? 0 : 2;
    System.out.printf("BENCH %s latency at %d concurrent: %d of %d reached %s; %s%n", op.name().toLowerCase(),
        concurrency, n[slot + 1], n[slot], op.end, summary(ms));
  }

  static String summary(List<Double> ms) {
    if (ms.isEmpty()) {
      return "no samples";
    }
    return String.format("p50 %.0f ms, p99 %.0f ms, max %.0f ms (%d samples)", p(ms, 0.5), p(ms, 0.99),
        p(ms, 1.0), ms.size());
  }

  /** The q-quantile (nearest rank, as DeployLatencyBench reports it). */
  static double p(List<Double> ms, double q) {
    List<Double> s = new ArrayList<>(ms);
    Collections.sort(s);
    return s.get(Math.min(s.size() - 1, (int) (s.size() * q)));
  }
}
