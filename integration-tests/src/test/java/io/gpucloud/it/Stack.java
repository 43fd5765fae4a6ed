package io.gpucloud.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionRequest;
import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionResponse;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

/**
 * One real local stack for all integration tests in this JVM, started through the same
 * scripts/stack.sh that `make run` uses, on free ports and a private data directory:
 * Temporal dev server, MariaDB, the service, and one agent-worker process per host spec
 * (copied so tests can edit them). Stopped with SIGTERM when the JVM exits.
 */
public final class Stack {
  static final ObjectMapper JSON = new ObjectMapper();
  static final Path REPO = Path.of("..").toAbsolutePath().normalize();
  static final Duration DISCOVERY_TIMEOUT = Duration.ofSeconds(5);
  /**
   * The discovery hook timeout of a bench's stack: benches test no hook failure, and with 11 agents
   * starting at once on a loaded 2-core machine the 5 s hook timed out on several hosts and the stack
   * did not come up.
   */
  static final Duration BENCH_DISCOVERY_TIMEOUT = Duration.ofSeconds(60);

  private static Stack instance;
  /** Whether the stack this JVM starts also carries the bench-only hosts (resources/bench-specs). */
  private static boolean benchHosts;

  final Path dataDir;
  final Path specsDir;
  final Map<String, String> env = new HashMap<>();
  final String apiUrl;
  /** The second service replica's API, when the stack runs two (GPUCLOUD_SERVICE_REPLICAS=2), else null. */
  final String apiUrl2;
  final String adminKey;
  final int dbPort;
  final String temporalAddress;
  private final Process process;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  public static synchronized Stack get() {
    if (instance == null) {
      try {
        instance = new Stack();
      } catch (IOException | InterruptedException e) {
        throw new IllegalStateException("could not start the local stack", e);
      }
    }
    return instance;
  }

  /**
   * The stack, with the bench-only hosts (src/test/resources/bench-specs: B1 and B2, which share a
   * storage pool) besides the usual ones, and a longer discovery hook timeout. Only the first caller in a JVM decides what the stack carries:
   * run such a bench on its own (-Dtest=...), as `make bench` does.
   */
  static synchronized Stack withBenchHosts() {
    if (instance == null) {
      benchHosts = true;
    } else if (!benchHosts) {
      throw new IllegalStateException("this JVM's stack was started without the bench hosts; run the bench alone");
    }
    return get();
  }

  private Stack() throws IOException, InterruptedException {
    checkJars();
    dataDir = Files.createTempDirectory(REPO.resolve("integration-tests/target"), "it-stack-");
    specsDir = Files.createDirectories(dataDir.resolve("specs"));
    try (Stream<Path> specs = Files.list(REPO.resolve("hosts"))) {
      for (Path p : specs.filter(p -> p.toString().endsWith(".yml")).toList()) {
        Files.copy(p, specsDir.resolve(p.getFileName()));
      }
    }
    // test-only hosts for the concurrency tests (not in a JVM that runs only hosts/, see STACK_ENV)
    if (!Boolean.getBoolean("gpucloud.stack.onlyDemoHosts")) {
      try (Stream<Path> specs = Files.list(REPO.resolve("integration-tests/src/test/resources/specs"))) {
        for (Path p : specs.filter(p -> p.toString().endsWith(".yml")).toList()) {
          Files.copy(p, specsDir.resolve(p.getFileName()));
        }
      }
    }
    // the hosts a surefire execution of its own adds (gpucloud.stack.extraSpecs: folders under src/test/resources)
    for (String dir : System.getProperty("gpucloud.stack.extraSpecs", "").split(",")) {
      if (dir.isBlank()) {
        continue;
      }
      try (Stream<Path> specs = Files.list(REPO.resolve("integration-tests/src/test/resources").resolve(dir.trim()))) {
        for (Path p : specs.filter(p -> p.toString().endsWith(".yml")).toList()) {
          Files.copy(p, specsDir.resolve(p.getFileName()));
        }
      }
    }
    if (benchHosts) {
      try (Stream<Path> specs = Files.list(REPO.resolve("integration-tests/src/test/resources/bench-specs"))) {
        for (Path p : specs.filter(p -> p.toString().endsWith(".yml")).toList()) {
          Files.copy(p, specsDir.resolve(p.getFileName()));
        }
      }
    }
    dbPort = freePort();
    int temporalPort = freePort();
    temporalAddress = "127.0.0.1:" + temporalPort;
    ProcessBuilder pb = new ProcessBuilder("bash", REPO.resolve("scripts/stack.sh").toString())
        .directory(REPO.toFile())
        .redirectErrorStream(true)
        .redirectOutput(dataDir.resolve("stack.out").toFile());
    Map<String, String> e = pb.environment();
    e.put("GPUCLOUD_DATA_DIR", dataDir.toString());
    e.put("GPUCLOUD_HOST_SPECS", specsDir.toString());
    e.put("TEMPORAL_PORT", String.valueOf(temporalPort));
    e.put("TEMPORAL_UI_PORT", String.valueOf(freePort()));
    e.put("TEMPORAL_HTTP_PORT", String.valueOf(freePort()));
    e.put("TEMPORAL_METRICS_PORT", String.valueOf(freePort()));
    e.put("GPUCLOUD_DB_PORT", String.valueOf(dbPort));
    e.put("GPUCLOUD_API_PORT", String.valueOf(freePort()));
    e.put("GPUCLOUD_ADMIN_PORT", String.valueOf(freePort()));
    e.put("STACK_SKIP_BUILD", "1");
    e.put("AGENT_EXTRA_ARGS", "--discovery-timeout "
        + (benchHosts ? BENCH_DISCOVERY_TIMEOUT : DISCOVERY_TIMEOUT).toSeconds());
    e.put("GPUCLOUD_API_PORT_2", String.valueOf(freePort()));
    e.put("GPUCLOUD_ADMIN_PORT_2", String.valueOf(freePort()));
    e.putAll(extraEnv());
    env.putAll(e);
    process = pb.start();
    Runtime.getRuntime().addShutdownHook(new Thread(this::stop));
    Path envFile = dataDir.resolve("stack.env");
    Instant deadline = Instant.now().plus(Duration.ofMinutes(4));
    while (!Files.exists(envFile)) {
      if (!process.isAlive() || Instant.now().isAfter(deadline)) {
        throw new IllegalStateException("stack did not come up:\n" + Files.readString(dataDir.resolve("stack.out")));
      }
      Thread.sleep(250);
    }
    Map<String, String> vars = new HashMap<>();
    for (String line : Files.readAllLines(envFile)) {
      int i = line.indexOf('=');
      if (i > 0) {
        vars.put(line.substring(0, i), line.substring(i + 1));
      }
    }
    apiUrl = vars.get("API_URL");
    apiUrl2 = vars.get("API_URL_2");
    adminKey = vars.get("ADMIN_API_KEY");
    awaitFleet();
  }

  /**
   * Waits until every simulated host is registered and its discovery has reported its GPUs. Each agent
   * runs a first discovery as it starts; with all of them starting at once on a small machine, a
   * discovery hook (a JVM of its own) can exceed the short hook timeout the tests use, which leaves
   * that host empty (as designed: the inventory stays as it was). Such a host's discovery is run again,
   * as an operator would, at most 3 times.
   */
  private void awaitFleet() throws IOException {
    List<String> names;
    try (Stream<Path> specs = Files.list(specsDir)) {
      names = specs.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".yml"))
          .map(n -> n.substring(0, n.length() - 4)).sorted().toList();
    }
    Map<String, Integer> reruns = new HashMap<>();
    await("hosts " + names + " registered and discovered", Duration.ofMinutes(4), () -> {
      List<JsonNode> hosts = list(get("/hosts")).stream().filter(h -> names.contains(h.path("name").asText())).toList();
      for (JsonNode h : hosts) {
        if (h.path("gpuTotal").asInt() > 0) {
          continue;
        }
        String id = h.path("id").asText();
        String name = h.path("name").asText();
        long failed = list(get("/hosts/" + id + "/events?limit=1000")).stream()
            .filter(e -> e.path("type").asText().equals("DISCOVERY_FAILED")).count();
        int done = reruns.getOrDefault(name, 0);
        if (failed > done) {
          if (done >= 3) {
            throw new IllegalStateException("discovery of host " + name + " failed " + failed + " times; see "
                + dataDir.resolve("logs/agent-" + name + ".log"));
          }
          System.err.println("Stack: the discovery of " + name + " failed at start-up; running it again");
          if (admin("POST", "/hosts/" + id + "/discover", null).status() == 202) { // 409: one was just started
            reruns.put(name, done + 1);
          }
        }
      }
      return hosts.size() == names.size() && hosts.stream().allMatch(h -> h.path("gpuTotal").asInt() > 0);
    }, Duration.ofMillis(500));
  }

  /**
   * scripts/stack.sh starts service/target/service.jar and agent-worker/target/agent-worker.jar. The
   * module's pom makes this build package both first and passes the files Maven resolved for them
   * (gpucloud.serviceJar, gpucloud.agentJar: the module's main jar, which the shade plugin's package
   * step writes next to the shaded one). Refuses to start anything but the jars of this build: the
   * main jar must be a packaged jar (a directory means the build stopped before package, e.g. `mvn
   * test`, so the shaded jar was not rebuilt), the very one in the module's target (or a copy of it,
   * such as the one `mvn install` put in the local repository), and the shaded jar beside it written
   * after it. Outside Maven (an IDE) the properties are absent and nothing is checked.
   */
  static void checkJars() throws IOException {
    checkJar("gpucloud.serviceJar", REPO.resolve("service/target/service.jar"));
    checkJar("gpucloud.agentJar", REPO.resolve("agent-worker/target/agent-worker.jar"));
  }

  private static void checkJar(String property, Path shaded) throws IOException {
    String resolved = System.getProperty(property);
    if (resolved == null || resolved.isBlank() || resolved.startsWith("${")) {
      return;
    }
    Path built = Path.of(resolved);
    if (!Files.isRegularFile(built)) {
      throw new IllegalStateException("the integration tests start packaged jars, but this build resolved " + property
          + " to " + built + " (not a jar: run at least the package phase, e.g. mvn verify -pl integration-tests -am)");
    }
    Path inTarget = shaded.resolveSibling(built.getFileName());
    if (!Files.isRegularFile(inTarget)
        || !(Files.isSameFile(built, inTarget) || Files.mismatch(built, inTarget) == -1L)) {
      throw new IllegalStateException("scripts/stack.sh would start " + shaded + ", but this build's jar is " + built
          + ", which is not the one in " + shaded.getParent() + ": build with -am (or mvn verify from the root)");
    }
    if (!Files.isRegularFile(shaded)
        || Files.getLastModifiedTime(shaded).compareTo(Files.getLastModifiedTime(inTarget)) < 0) {
      throw new IllegalStateException(shaded + " is missing or older than " + inTarget
          + ": the shaded jar was not rebuilt by this build's package phase");
    }
  }

  // ---- Temporal ----

  private WorkflowServiceStubs temporalStubs;
  private WorkflowClient temporalClient;

  /** A client of the stack's Temporal server, namespace default (as the service and agents use). */
  synchronized WorkflowClient temporal() {
    if (temporalClient == null) {
      temporalStubs = WorkflowServiceStubs.newServiceStubs(
          WorkflowServiceStubsOptions.newBuilder().setTarget(temporalAddress).build());
      temporalClient = WorkflowClient.newInstance(temporalStubs,
          WorkflowClientOptions.newBuilder().setNamespace("default").build());
    }
    return temporalClient;
  }

  /** DescribeWorkflowExecution of the latest run of a workflow. */
  DescribeWorkflowExecutionResponse describe(String workflowId) {
    WorkflowClient c = temporal();
    return c.getWorkflowServiceStubs().blockingStub().describeWorkflowExecution(
        DescribeWorkflowExecutionRequest.newBuilder().setNamespace(c.getOptions().getNamespace())
            .setExecution(WorkflowExecution.newBuilder().setWorkflowId(workflowId)).build());
  }

  void stop() {
    if (temporalStubs != null) {
      temporalStubs.shutdownNow();
    }
    if (process.isAlive()) {
      process.destroy(); // SIGTERM: the script stops every process it started
      try {
        process.waitFor(60, java.util.concurrent.TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /**
   * Environment a surefire execution of its own gives its stack (system property gpucloud.stack.env,
   * "K=V,K=V"): e.g. the usage tests' one-minute periods and two service replicas.
   */
  static Map<String, String> extraEnv() {
    Map<String, String> extra = new HashMap<>();
    String spec = System.getProperty("gpucloud.stack.env", "");
    for (String kv : spec.split(",")) {
      int i = kv.indexOf('=');
      if (i > 0) {
        extra.put(kv.substring(0, i).trim(), kv.substring(i + 1).trim());
      }
    }
    return extra;
  }

  /**
   * Starts a stack process again (e.g. "service" after a kill -9) with the command line, environment
   * and directory it had, read from /proc while it still runs ({@link #commandOf}); its pid file names
   * the new process.
   */
  Process restart(String name, ProcessCommand cmd) throws IOException {
    ProcessBuilder pb = new ProcessBuilder(cmd.args()).directory(cmd.dir().toFile()).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(dataDir.resolve("logs/" + name + ".log").toFile()));
    pb.environment().clear();
    pb.environment().putAll(cmd.env());
    Process p = pb.start();
    Files.writeString(dataDir.resolve("pids/" + name), String.valueOf(p.pid()));
    Runtime.getRuntime().addShutdownHook(new Thread(p::destroy));
    return p;
  }

  /** A process's command line, environment and working directory. */
  record ProcessCommand(List<String> args, Map<String, String> env, Path dir) {}

  /** What {@link #restart} needs to start a live stack process again, read from /proc. */
  ProcessCommand commandOf(String name) throws IOException {
    long pid = pid(name);
    List<String> args = List.of(new String(Files.readAllBytes(Path.of("/proc/" + pid + "/cmdline"))).split("\0"));
    Map<String, String> env = new HashMap<>();
    for (String kv : new String(Files.readAllBytes(Path.of("/proc/" + pid + "/environ"))).split("\0")) {
      int i = kv.indexOf('=');
      if (i > 0) {
        env.put(kv.substring(0, i), kv.substring(i + 1));
      }
    }
    return new ProcessCommand(args, env, Path.of("/proc/" + pid + "/cwd").toRealPath());
  }

  private static final java.util.Set<Integer> HANDED_OUT = new java.util.HashSet<>();

  /**
   * A port free now and not handed out before in this JVM: the ports are all picked before any
   * process binds one, and the kernel may offer a closed probe's port again.
   */
  static synchronized int freePort() throws IOException {
    while (true) {
      try (ServerSocket s = new ServerSocket(0)) {
        if (HANDED_OUT.add(s.getLocalPort())) {
          return s.getLocalPort();
        }
      }
    }
  }

  /** A live process of the stack, by name (e.g. "agent-H1"), from the pid files the script writes. */
  long pid(String name) throws IOException {
    return Long.parseLong(Files.readString(dataDir.resolve("pids/" + name)).trim());
  }

  Path hookOf(String host) {
    return dataDir.resolve("hosts/" + host + "/hooks/gpudiscovery.sh");
  }

  /** The stack's database as the service's user (gpucloud, with the password embedded-db generated). */
  Connection db() throws SQLException {
    return DriverManager.getConnection("jdbc:mariadb://127.0.0.1:" + dbPort + "/gpucloud", "gpucloud", dbPassword());
  }

  /** The service's database password: the stack's MariaDB checks grants, nobody gets in without one. */
  String dbPassword() {
    return secret("db-password");
  }

  /** root's password on the stack's MariaDB (the tests that create databases of their own use it). */
  String dbRootPassword() {
    return secret("db-root-password");
  }

  /**
   * root's password on the MariaDB at {@code port}: the stack's when it is the stack's database, else
   * the system property gpucloud.dbRootPassword (a bench's throw-away server: empty).
   */
  static String rootPasswordFor(int port) {
    synchronized (Stack.class) {
      if (instance != null && instance.dbPort == port) {
        return instance.dbRootPassword();
      }
    }
    return System.getProperty("gpucloud.dbRootPassword", "");
  }

  private String secret(String file) {
    try {
      return Files.readString(dataDir.resolve(file)).trim();
    } catch (IOException e) {
      throw new IllegalStateException("no " + file + " in " + dataDir, e);
    }
  }

  // ---- HTTP ----

  record Response(int status, JsonNode body, String raw) {}

  Response call(String method, String path, Object body, String key) {
    return callWithHeader(method, path, body, key, null, null);
  }

  Response callWithHeader(String method, String path, Object body, String key, String header, String value) {
    return callAt(apiUrl, method, path, body, key, header, value);
  }

  /** A call to the API at {@code baseUrl} (e.g. {@link #apiUrl2}, the second replica's). */
  Response callAt(String baseUrl, String method, String path, Object body, String key, String header, String value) {
    try {
      HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(Duration.ofSeconds(60));
      if (header != null) {
        b.header(header, value);
      }
      if (key != null) {
        b.header("Authorization", "Bearer " + key);
      }
      String text = body == null ? null : body instanceof String s ? s : JSON.writeValueAsString(body);
      b.method(method, text == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(text));
      if (text != null) {
        b.header("Content-Type", "application/json");
      }
      HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
      JsonNode node = r.body() == null || r.body().isBlank() ? null : parseOrNull(r.body());
      return new Response(r.statusCode(), node, r.body());
    } catch (IOException e) {
      throw new IllegalStateException(method + " " + path + " failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static JsonNode parseOrNull(String s) {
    try {
      return JSON.readTree(s);
    } catch (IOException e) {
      return null;
    }
  }

  Response admin(String method, String path, Object body) {
    return call(method, path, body, adminKey);
  }

  JsonNode get(String path) {
    Response r = admin("GET", path, null);
    if (r.status() != 200) {
      throw new AssertionError("GET " + path + " -> " + r.status() + " " + r.raw());
    }
    return r.body();
  }

  static List<JsonNode> list(JsonNode array) {
    return array == null ? List.of() : java.util.stream.StreamSupport.stream(array.spliterator(), false).toList();
  }

  static void await(String what, Duration timeout, BooleanSupplier condition) {
    await(what, timeout, condition, Duration.ofMillis(250));
  }

  static void await(String what, Duration timeout, BooleanSupplier condition, Duration every) {
    Instant deadline = Instant.now().plus(timeout);
    while (!condition.getAsBoolean()) {
      if (Instant.now().isAfter(deadline)) {
        throw new AssertionError("timed out after " + timeout.toSeconds() + " s waiting for " + what);
      }
      try {
        Thread.sleep(every.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }

  /** The id of a host, by name. */
  String hostId(String name) {
    return list(get("/hosts?name=" + name)).stream().filter(h -> h.path("name").asText().equals(name)).findFirst()
        .orElseThrow(() -> new AssertionError("no host " + name)).path("id").asText();
  }

  /** Waits until each named host is registered and its discovery has reported GPUs. */
  void awaitHosts(String... names) {
    List<String> wanted = List.of(names);
    await(String.join(", ", wanted) + " discovered", Duration.ofMinutes(2), () -> list(get("/hosts")).stream()
        .filter(h -> wanted.contains(h.path("name").asText()) && h.path("gpuTotal").asInt() > 0).count()
        == wanted.size());
  }

  /** Waits for a workflow to close and returns GET /workflows/{id}. */
  JsonNode awaitWorkflow(String workflowId, Duration timeout) {
    JsonNode[] last = new JsonNode[1];
    await("workflow " + workflowId + " to close", timeout, () -> {
      Response r = admin("GET", "/workflows/" + workflowId, null);
      if (r.status() != 200) {
        return false;
      }
      last[0] = r.body();
      return !"RUNNING".equals(r.body().path("status").asText());
    });
    return last[0];
  }
}
