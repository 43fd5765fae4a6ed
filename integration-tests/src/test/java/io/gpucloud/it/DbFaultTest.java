package io.gpucloud.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The stack's MariaDB killed (kill -9, the server and the embedded-db process that runs it) and restarted in the
 * middle of a burst of deploys, at several moments after the burst was accepted (the reservation step, the host
 * steps, the commit step), and in the middle of stop, start and destroy. After each trial the whole
 * {@link Invariant} holds, and every accepted deploy ends Running (the fleet has room for all of them: an outage
 * is never a capacity verdict). While the database is down the API answers 503 with Retry-After; it answers
 * normally again within a few seconds of the database's return. Runs in the fault-stack surefire execution.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DbFaultTest {
  /** 1-GPU sim-4q deploys per burst: H1 has 4 sim-4q devices and H2 6, so all of them fit. */
  static final int BURST = 8;
  static final Duration DOWN = Duration.ofSeconds(4);
  static Stack stack;
  static Tenants.Tenant tenant;
  static String offering;
  static String template;
  static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  static final List<Double> backToFirstDeploy = new ArrayList<>();
  static ExecutorService pool;

  @BeforeAll
  static void up() {
    // only in the fault-stack execution (a -Dtest=... run selects it in the default one too)
    Assumptions.assumeTrue(Stack.extraEnv().containsKey("GPUCLOUD_FAULT_STACK"),
        "runs in the fault-stack surefire execution, with its own stack");
    stack = Stack.get();
    stack.awaitHosts("H1", "H2");
    tenant = Tenants.tenant(stack, "dbfault", Tenants.unlimited());
    offering = Tenants.offering(stack, "ACS Simulated Graphics Card Pro", "sim-4q", 1, 1, 500, 512);
    template = Tenants.template(stack);
    pool = Executors.newFixedThreadPool(BURST);
  }

  @AfterAll
  static void down() {
    if (pool != null) {
      pool.shutdownNow();
    }
    if (!backToFirstDeploy.isEmpty()) {
      double worst = backToFirstDeploy.stream().mapToDouble(Double::doubleValue).max().orElseThrow();
      System.out.printf("BENCH db-back-to-first-deploy: %.1f s (worst of %d trials: %s)%n", worst,
          backToFirstDeploy.size(), backToFirstDeploy);
    }
  }

  @Test
  @Order(1)
  @Timeout(value = 2, unit = TimeUnit.MINUTES)
  void theDatabaseChecksGrants() throws Exception {
    String url = "jdbc:mariadb://127.0.0.1:" + stack.dbPort + "/gpucloud";
    assertThatThrownBy(() -> DriverManager.getConnection(url, "root", "").close())
        .as("root without a password over TCP").isInstanceOf(SQLException.class).hasMessageContaining("denied");
    assertThatThrownBy(() -> DriverManager.getConnection(url, "gpucloud", "").close())
        .as("the service's user without its password").isInstanceOf(SQLException.class).hasMessageContaining("denied");
    assertThatThrownBy(() -> DriverManager.getConnection(url, "nobody", "").close())
        .as("an anonymous account").isInstanceOf(SQLException.class).hasMessageContaining("denied");
    try (Connection c = stack.db(); ResultSet rs = c.createStatement().executeQuery("SELECT CURRENT_USER()")) {
      rs.next();
      assertThat(rs.getString(1)).isEqualTo("gpucloud@127.0.0.1");
    }
    // the service's user reaches its own database only
    try (Connection c = stack.db()) {
      assertThatThrownBy(() -> c.createStatement().executeQuery("SELECT COUNT(*) FROM mysql.user").close())
          .isInstanceOf(SQLException.class).hasMessageContaining("denied");
      assertThatThrownBy(() -> c.createStatement().execute("CREATE DATABASE gpucloud_other"))
          .isInstanceOf(SQLException.class).hasMessageContaining("denied");
    }
    try (Connection c = DriverManager.getConnection(url, "root", stack.dbRootPassword())) {
      assertThat(c.isValid(5)).isTrue();
    }
    for (String f : List.of("db-password", "db-root-password")) {
      Path p = stack.dataDir.resolve(f);
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(p))).as(f).isEqualTo("rw-------");
      assertThat(Files.readString(p).trim()).as(f).matches("[A-Za-z0-9]{32}");
    }
    // the service got the user's password through the environment, not root
    assertThat(stack.commandOf("service").env()).containsEntry("GPUCLOUD_DB_USER", "gpucloud");
  }

  /** A burst of deploys accepted, then the database killed {@code delayMs} later and back after {@link #DOWN}. */
  @ParameterizedTest(name = "database killed {0} ms after a burst of deploys")
  @ValueSource(ints = {0, 300, 1000})
  @Order(2)
  @Timeout(value = 4, unit = TimeUnit.MINUTES)
  void databaseKilledDuringABurstOfDeploys(int delayMs) throws Exception {
    Invariant.check(stack); // a clean start: nothing of an earlier trial still moving
    List<Future<Stack.Response>> sent = new ArrayList<>();
    for (int n = 0; n < BURST; n++) {
      String name = "dbf-" + delayMs + "-" + n;
      sent.add(pool.submit(() -> Tenants.deploy(stack, tenant.key(), name, offering, template, null)));
    }
    List<String> ids = new ArrayList<>();
    for (Future<Stack.Response> f : sent) {
      Stack.Response r = f.get(2, TimeUnit.MINUTES);
      assertThat(r.status()).as(r.raw()).isEqualTo(202);
      ids.add(r.body().path("id").asText());
    }
    Thread.sleep(delayMs);
    Set<String> runningBefore = running(ids);
    outage(ids, runningBefore);

    Map<String, Invariant.Instance> after = Invariant.check(stack);
    for (String id : ids) {
      Invariant.Instance i = after.get(id);
      assertThat(i.state()).as("deploy %s after the outage (fleet has room for the whole burst): %s", id, i)
          .isEqualTo("Running");
    }
    System.out.printf("DbFaultTest: kill %d ms after the burst: %d of %d Running before the kill, all %d Running"
        + " after%n", delayMs, runningBefore.size(), ids.size(), ids.size());
    Invariant.destroyAll(stack, pool, ids);
  }

  /** Stop, stop, destroy and start accepted, then the database killed during them. */
  @Test
  @Order(3)
  @Timeout(value = 4, unit = TimeUnit.MINUTES)
  void databaseKilledDuringLifecycleOperations() throws Exception {
    Invariant.check(stack);
    List<String> ids = new ArrayList<>();
    for (int n = 0; n < 4; n++) {
      ids.add(Ops.running(stack, tenant, "dbf-life-" + n, offering, template).path("id").asText());
    }
    String a = ids.get(0);
    String b = ids.get(1);
    String c = ids.get(2);
    String d = ids.get(3);
    Ops.ok(stack, tenant.key(), d, "stop", null);
    List<Future<Stack.Response>> sent = List.of(
        pool.submit(() -> Ops.post(stack, tenant.key(), a, "stop", null)),
        pool.submit(() -> Ops.post(stack, tenant.key(), b, "stop", Map.of("force", true))),
        pool.submit(() -> Ops.destroy(stack, tenant.key(), c)),
        pool.submit(() -> Ops.post(stack, tenant.key(), d, "start", null)));
    for (Future<Stack.Response> f : sent) {
      Stack.Response r = f.get(2, TimeUnit.MINUTES);
      assertThat(r.status()).as(r.raw()).isEqualTo(202);
    }
    Thread.sleep(200);
    outage(List.of(d), running(List.of(d)));

    Map<String, Invariant.Instance> after = Invariant.check(stack);
    assertThat(after.get(a).state()).as("stopped during the outage: %s", after.get(a)).isEqualTo("Stopped");
    assertThat(after.get(b).state()).as("force-stopped during the outage: %s", after.get(b)).isEqualTo("Stopped");
    assertThat(after.get(c).state()).as("destroyed during the outage: %s", after.get(c)).isEqualTo("Destroyed");
    assertThat(after.get(d).state()).as("started during the outage: %s", after.get(d)).isEqualTo("Running");
    Invariant.destroyAll(stack, pool, ids);
  }

  // ---- the outage ----

  /**
   * kill -9 of MariaDB (mariadbd, then the embedded-db process that ran it), the API checked while it is down,
   * the same command started again after {@link #DOWN}; measures the time from its return to the first of
   * {@code watched} (not Running before) reaching Running, and to the API answering 200 again.
   */
  static void outage(List<String> watched, Set<String> runningBefore) throws Exception {
    Stack.ProcessCommand cmd = stack.commandOf("mariadb");
    long pid = stack.pid("mariadb");
    List<ProcessHandle> servers = ProcessHandle.of(pid).map(h -> h.descendants().toList()).orElse(List.of());
    assertThat(servers).as("the embedded-db process runs mariadbd").isNotEmpty();
    for (ProcessHandle h : servers) {
      Ops.kill9(h.pid());
    }
    Ops.kill9(pid);
    long downAt = System.nanoTime();

    // down: 503 with Retry-After and a JSON message, on both replicas, not 500
    for (String base : apiUrls()) {
      HttpResponse<String> r = get(base + "/instances");
      assertThat(r.statusCode()).as("GET /instances while the database is down: " + r.body()).isEqualTo(503);
      assertThat(r.headers().firstValue("Retry-After")).as("Retry-After").isPresent();
      assertThat(Stack.JSON.readTree(r.body()).path("message").asText()).as(r.body()).isNotBlank();
    }
    long left = DOWN.toNanos() - (System.nanoTime() - downAt);
    if (left > 0) {
      Thread.sleep(left / 1_000_000);
    }

    stack.restart("mariadb", cmd);
    Stack.await("MariaDB back on its port", Duration.ofSeconds(90), DbFaultTest::portOpen, Duration.ofMillis(50));
    long backAt = System.nanoTime();
    Set<String> pending = new HashSet<>(watched);
    pending.removeAll(runningBefore);
    Double firstDeploy = null;
    Double apiBack = null;
    long deadline = backAt + Duration.ofMinutes(2).toNanos();
    while ((apiBack == null || (firstDeploy == null && !pending.isEmpty())) && System.nanoTime() < deadline) {
      double s = (System.nanoTime() - backAt) / 1e9;
      if (apiBack == null && apiAnswers()) {
        apiBack = s;
      }
      if (firstDeploy == null && !pending.isEmpty() && !running(pending).isEmpty()) {
        firstDeploy = s;
      }
      Thread.sleep(100);
    }
    System.out.printf("DbFaultTest: database back -> API answering 200: %s s, -> first operation Running: %s s%n",
        apiBack == null ? "never" : String.format("%.1f", apiBack),
        firstDeploy == null ? (pending.isEmpty() ? "n/a" : "never") : String.format("%.1f", firstDeploy));
    assertThat(apiBack).as("the API answers 200 again after the database's return").isNotNull();
    assertThat(apiBack).as("seconds from the database's return to the API answering 200").isLessThan(15.0);
    if (!pending.isEmpty()) {
      assertThat(firstDeploy).as("an operation completes after the database's return").isNotNull();
      if (watched.size() > 1) {
        backToFirstDeploy.add(firstDeploy);
      }
    }
  }

  static List<String> apiUrls() {
    return stack.apiUrl2 == null ? List.of(stack.apiUrl) : List.of(stack.apiUrl, stack.apiUrl2);
  }

  static boolean portOpen() {
    try (Socket s = new Socket("127.0.0.1", stack.dbPort)) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  static boolean apiAnswers() {
    for (String base : apiUrls()) {
      try {
        if (get(base + "/instances").statusCode() != 200) {
          return false;
        }
      } catch (IOException e) {
        return false;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
    return true;
  }

  static HttpResponse<String> get(String url) throws IOException, InterruptedException {
    return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
        .header("Authorization", "Bearer " + stack.adminKey).GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  /** Those of the ids that are Running now (read from the database; none while it is down). */
  static Set<String> running(java.util.Collection<String> ids) {
    Set<String> out = new HashSet<>();
    try (Connection c = stack.db(); PreparedStatement ps = c.prepareStatement(
        "SELECT id FROM instances WHERE state = 'Running' AND id IN (" + String.join(",",
            ids.stream().map(x -> "?").toList()) + ")")) {
      int k = 1;
      for (String id : ids) {
        ps.setString(k++, id);
      }
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(rs.getString(1));
        }
      }
    } catch (SQLException e) {
      // down: none seen Running
    }
    return out;
  }

}
