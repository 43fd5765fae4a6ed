package io.gpucloud.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import io.temporal.api.workflow.v1.WorkflowExecutionInfo;
import io.temporal.api.workflowservice.v1.ListWorkflowExecutionsRequest;
import io.temporal.api.workflowservice.v1.ListWorkflowExecutionsResponse;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Usage records, their export and the scheduled jobs on a stack of their own (surefire execution
 * replica-stack): one-minute usage periods, two-minute scheduled rediscovery, two service replicas
 * sharing Temporal, MariaDB and the Quartz cluster; the instances run on the demo hosts H1 and H2. The tests run in order: the instance of the
 * first is the data the later ones read, and the last kills both replicas.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class UsageScheduleTest {
  static final Duration PERIOD = Duration.ofMinutes(1);
  static final Duration WAIT = Duration.ofMinutes(3);
  static Stack stack;
  static Tenants.Tenant tenant;
  static Tenants.Tenant other;
  static String instanceId;
  static Instant createdPeriod;
  static Instant destroyedPeriod;

  @BeforeAll
  static void up() {
    // only in the usage-stack execution (a -Dtest=... run selects it in the default one too)
    Assumptions.assumeTrue(Stack.extraEnv().containsKey("GPUCLOUD_USAGE_PERIOD"),
        "runs in the usage-stack surefire execution, with its own stack");
    stack = Stack.get();
    assertThat(stack.apiUrl2).as("the usage stack runs two service replicas").isNotNull();
    tenant = Tenants.tenant(stack, "usage-a", Tenants.unlimited());
    other = Tenants.tenant(stack, "usage-b", Tenants.unlimited());
  }

  static Instant floor(Instant t) {
    return t.truncatedTo(ChronoUnit.MINUTES);
  }

  /** Sleeps until {@code seconds} into the next minute. */
  static void sleepPastNextBoundary(int seconds) throws InterruptedException {
    Instant next = floor(Instant.now()).plus(PERIOD).plusSeconds(seconds);
    Thread.sleep(Math.max(0, Duration.between(Instant.now(), next).toMillis()));
  }

  static String periodId(Instant p) {
    return "usage-" + p.toString().replace(".000", "");
  }

  /** A state transition seen from outside: the true time lies in [before, after]. */
  record Seen(Instant before, Instant after) {}

  static Seen pollUntil(String id, String state) {
    Instant[] before = {Instant.now()};
    Instant[] after = new Instant[1];
    Stack.await(id + " " + state, WAIT, () -> {
      Instant t = Instant.now();
      if (Ops.state(stack, id).equals(state)) {
        after[0] = Instant.now();
        return true;
      }
      before[0] = t;
      return false;
    }, Duration.ofMillis(100));
    return new Seen(before[0], after[0]);
  }

  static Seen timed(Supplier<Stack.Response> call, int expectStatus) {
    Instant before = Instant.now();
    Stack.Response r = call.get();
    Instant after = Instant.now();
    assertThat(r.status()).as(r.raw()).isEqualTo(expectStatus);
    return new Seen(before, after);
  }

  static List<JsonNode> usage(String key, String query) {
    Stack.Response r = stack.call("GET", "/usage?pageSize=1000&" + query, null, key);
    assertThat(r.status()).as(r.raw()).isEqualTo(200);
    return Stack.list(r.body().path("items"));
  }

  /** The instance's state history, from the database, as (time, state). */
  static List<Map.Entry<Instant, String>> history(String id) throws Exception {
    List<Map.Entry<Instant, String>> rows = new ArrayList<>();
    try (Connection c = stack.db(); PreparedStatement ps = c.prepareStatement(
        "SELECT changed_at, state FROM instance_state_changes WHERE instance_id = ? ORDER BY changed_at, id")) {
      ps.setString(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          rows.add(Map.entry(rs.getTimestamp(1).toInstant(), rs.getString(2)));
        }
      }
    }
    return rows;
  }

  /** Seconds the history spends in the states within [start, end): an oracle independent of the SQL. */
  static double seconds(List<Map.Entry<Instant, String>> h, Instant start, Instant end, List<String> states) {
    double total = 0;
    for (int i = 0; i < h.size(); i++) {
      Instant from = h.get(i).getKey();
      Instant to = i + 1 < h.size() ? h.get(i + 1).getKey() : Instant.MAX;
      if (!states.contains(h.get(i).getValue())) {
        continue;
      }
      Instant a = from.isAfter(start) ? from : start;
      Instant b = to.isBefore(end) ? to : end;
      if (a.isBefore(b)) {
        total += Duration.between(a, b).toNanos() / 1e9;
      }
    }
    return total;
  }

  @Test
  @Order(1)
  void deployStopAndDestroyAcrossPeriodsGiveRecordsMatchingTheMeasuredStateTimes() throws Exception {
    String offering = Stack.list(stack.get("/offerings?name=Sim%202xGPU%20Offering")).get(0).path("id").asText();
    String template = Tenants.template(stack);
    Instant deploySent = Instant.now();
    Stack.Response r = Tenants.deploy(stack, tenant.key(), "usage-vm", offering, template, null);
    assertThat(r.status()).as(r.raw()).isEqualTo(202);
    Instant deployAnswered = Instant.now();
    instanceId = r.body().path("id").asText();
    Seen runningSeen = pollUntil(instanceId, "Running");
    createdPeriod = floor(deploySent);

    sleepPastNextBoundary(5); // Running across a boundary
    Seen stopping = timed(() -> Ops.post(stack, tenant.key(), instanceId, "stop", null), 202);
    pollUntil(instanceId, "Stopped");
    sleepPastNextBoundary(5); // Stopped across a boundary
    Instant destroySent = Instant.now();
    Stack.Response d = Ops.destroy(stack, tenant.key(), instanceId);
    assertThat(d.status()).as(d.raw()).isEqualTo(202);
    Seen destroyed = pollUntil(instanceId, "Destroyed");
    destroyedPeriod = floor(destroyed.after());

    // every period from the deploy's to the destroy's closes and is generated once
    JsonNode last = stack.awaitWorkflow(periodId(destroyedPeriod), WAIT);
    assertThat(last.path("status").asText()).as(last.toString()).isEqualTo("COMPLETED");
    List<JsonNode> records = usage(tenant.key(), "instanceId=" + instanceId);
    long periods = Duration.between(createdPeriod, destroyedPeriod).toMinutes() + 1;
    assertThat(periods).as("deploy, stop and destroy span at least three periods").isGreaterThanOrEqualTo(3);
    assertThat(records).as("a RUNNING_VM and an ALLOCATED_VM record per period it existed in")
        .hasSize((int) periods * 2);

    List<Map.Entry<Instant, String>> h = history(instanceId);
    double running = 0;
    double allocated = 0;
    for (JsonNode rec : records) {
      Instant start = Instant.parse(rec.path("periodStart").asText());
      assertThat(Instant.parse(rec.path("periodEnd").asText())).isEqualTo(start.plus(PERIOD));
      assertThat(rec.path("instanceName").asText()).isEqualTo("usage-vm");
      assertThat(rec.path("accountId").asText()).isEqualTo(tenant.accountId());
      assertThat(rec.path("offeringName").asText()).isEqualTo("Sim 2xGPU Offering");
      assertThat(rec.path("gpuCardName").asText()).isEqualTo("ACS Simulated Graphics Card Pro");
      assertThat(rec.path("vgpuProfileName").asText()).isEqualTo("sim-8q");
      assertThat(rec.path("gpuCount").asInt()).isEqualTo(2);
      double hours = rec.path("rawUsage").decimalValue().doubleValue();
      boolean isRunning = rec.path("usageType").asText().equals("RUNNING_VM");
      double expected = isRunning
          ? seconds(h, start, start.plus(PERIOD), List.of("Running", "Rebooting"))
          : seconds(h, start, start.plus(PERIOD), List.of("Creating", "Running", "Stopping", "Stopped", "Starting",
              "Rebooting", "Migrating", "Scaling", "Destroying", "Error"));
      assertThat(hours * 3600).as(rec.toString()).isCloseTo(expected, within(0.01));
      if (isRunning) {
        running += hours * 3600;
      } else {
        allocated += hours * 3600;
      }
    }
    // and against what the client saw: Running from [running.before, running.after] to the stop request
    double runMin = Duration.between(runningSeen.after(), stopping.before()).toMillis() / 1000.0;
    double runMax = Duration.between(runningSeen.before(), stopping.after()).toMillis() / 1000.0;
    assertThat(running).as("running seconds vs. measured [%s, %s]", runMin, runMax)
        .isBetween(runMin - 1, runMax + 1);
    double allocMin = Duration.between(deployAnswered, destroyed.before()).toMillis() / 1000.0;
    double allocMax = Duration.between(deploySent, destroyed.after()).toMillis() / 1000.0;
    assertThat(allocated).as("allocated seconds vs. measured [%s, %s]", allocMin, allocMax)
        .isBetween(allocMin - 1, allocMax + 1);
    assertThat(destroySent).isBefore(destroyed.after());
  }

  @Test
  @Order(2)
  void aReRunOfAGeneratedPeriodWritesNothingAndTheScheduleStartsNothingTwice() throws Exception {
    Instant p = createdPeriod.plus(PERIOD);
    String before = snapshot(p);
    assertThat(before).isNotEmpty();
    // the same activity again, under another workflow id (the schedule's id would be refused)
    WorkflowClient client = stack.temporal();
    WorkflowStub rerun = client.newUntypedWorkflowStub("Usage", WorkflowOptions.newBuilder()
        .setWorkflowId("usage-rerun-" + p.getEpochSecond()).setTaskQueue("control-plane").build());
    rerun.start(p, p.plus(PERIOD));
    JsonNode result = rerun.getResult(60, java.util.concurrent.TimeUnit.SECONDS, JsonNode.class);
    assertThat(result.path("written").asInt()).as(result.toString()).isZero();
    assertThat(result.path("records").asInt()).isGreaterThanOrEqualTo(2);
    assertThat(snapshot(p)).as("the period's records unchanged").isEqualTo(before);

    Stack.Response fired = stack.admin("POST", "/schedules/usage/run", null);
    assertThat(fired.status()).as(fired.raw()).isEqualTo(202);
    Thread.sleep(3000);
    assertThat(runsOf(periodId(p))).as("usage-" + p + " ran once").isEqualTo(1);
    assertThat(snapshot(p)).isEqualTo(before);
  }

  /** The period's records, every column but the generated id and creation time, as text. */
  static String snapshot(Instant period) throws Exception {
    StringBuilder sb = new StringBuilder();
    try (Connection c = stack.db(); PreparedStatement ps = c.prepareStatement(
        "SELECT instance_id, usage_type, raw_usage, usage_seconds, host_id, gpu_count, id, created_at"
            + " FROM usage_records WHERE period_start = ? ORDER BY instance_id, usage_type")) {
      ps.setObject(1, java.time.LocalDateTime.ofInstant(period, ZoneOffset.UTC));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          for (int i = 1; i <= 8; i++) {
            sb.append(rs.getString(i)).append('|');
          }
          sb.append('\n');
        }
      }
    }
    return sb.toString();
  }

  /** Runs of a workflow id that Temporal's visibility lists (waits until it lists at least one). */
  static int runsOf(String workflowId) {
    int[] n = new int[1];
    Stack.await("visibility of " + workflowId, Duration.ofSeconds(30), () -> {
      n[0] = listExecutions("WorkflowId='" + workflowId + "'").size();
      return n[0] > 0;
    });
    return n[0];
  }

  static List<WorkflowExecutionInfo> listExecutions(String query) {
    WorkflowClient c = stack.temporal();
    List<WorkflowExecutionInfo> all = new ArrayList<>();
    com.google.protobuf.ByteString token = com.google.protobuf.ByteString.EMPTY;
    do {
      ListWorkflowExecutionsResponse resp = c.getWorkflowServiceStubs().blockingStub().listWorkflowExecutions(
          ListWorkflowExecutionsRequest.newBuilder().setNamespace("default").setQuery(query)
              .setPageSize(1000).setNextPageToken(token).build());
      all.addAll(resp.getExecutionsList());
      token = resp.getNextPageToken();
    } while (!token.isEmpty());
    return all;
  }

  @Test
  @Order(3)
  void twoReplicasJoinOneQuartzClusterAndProduceEachPeriodOnce() throws Exception {
    try (Connection c = stack.db(); ResultSet rs = c.createStatement().executeQuery(
        "SELECT COUNT(*) FROM QRTZ_SCHEDULER_STATE")) {
      rs.next();
      assertThat(rs.getInt(1)).as("both replicas checked into the Quartz cluster").isEqualTo(2);
    }
    // both replicas serve the API
    Stack.Response viaSecond = stack.callAt(stack.apiUrl2, "GET", "/usage?instanceId=" + instanceId, null,
        tenant.key(), null, null);
    assertThat(viaSecond.status()).as(viaSecond.raw()).isEqualTo(200);
    assertThat(viaSecond.body().path("total").asInt()).isEqualTo(usage(tenant.key(), "instanceId=" + instanceId).size());

    Map<String, Integer> runs = new TreeMap<>();
    for (WorkflowExecutionInfo e : listExecutions("WorkflowType='Usage'")) {
      runs.merge(e.getExecution().getWorkflowId(), 1, Integer::sum);
    }
    runs.keySet().removeIf(id -> id.startsWith("usage-rerun-"));
    assertThat(runs).as("usage workflows so far").isNotEmpty();
    assertThat(runs.values()).as("each period's usage started once across the replicas: " + runs).containsOnly(1);
    try (Connection c = stack.db(); ResultSet rs = c.createStatement().executeQuery(
        "SELECT COUNT(*), COUNT(DISTINCT instance_id, usage_type, period_start) FROM usage_records")) {
      rs.next();
      assertThat(rs.getInt(1)).isEqualTo(rs.getInt(2));
    }
    // periods are consecutive: no period between the first and the last generated one is missing
    try (Connection c = stack.db(); ResultSet rs = c.createStatement().executeQuery(
        "SELECT COUNT(*), TIMESTAMPDIFF(MINUTE, MIN(period_start), MAX(period_start)) + 1 FROM usage_periods")) {
      rs.next();
      assertThat(rs.getInt(1)).as("no period skipped").isEqualTo(rs.getInt(2));
    }
  }

  @Test
  @Order(4)
  void aTenantSeesOnlyItsOwnUsage() {
    assertThat(usage(tenant.key(), "")).isNotEmpty()
        .allSatisfy(r -> assertThat(r.path("accountId").asText()).isEqualTo(tenant.accountId()));
    assertThat(usage(other.key(), "instanceId=" + instanceId)).isEmpty();
    assertThat(usage(other.key(), "")).noneMatch(r -> r.path("accountId").asText().equals(tenant.accountId()));
    Stack.Response foreign = stack.call("GET", "/usage?accountId=" + tenant.accountId(), null, other.key());
    assertThat(foreign.status()).as(foreign.raw()).isIn(200, 404);
    if (foreign.status() == 200) {
      assertThat(Stack.list(foreign.body().path("items"))).isEmpty();
    }
    Stack.Response summary = stack.call("GET", "/usage/summary?groupBy=account&from=" + createdPeriod
        + "&to=" + destroyedPeriod.plus(PERIOD), null, other.key());
    assertThat(summary.status()).as(summary.raw()).isEqualTo(200);
    assertThat(summary.raw()).doesNotContain(tenant.accountId());
    // the billing view: GPU-hours of the instance's account = running hours x 2 GPUs
    Stack.Response mine = stack.call("GET", "/usage/summary?groupBy=account&from=" + createdPeriod
        + "&to=" + destroyedPeriod.plus(PERIOD), null, tenant.key());
    assertThat(mine.status()).as(mine.raw()).isEqualTo(200);
    JsonNode row = Stack.list(mine.body()).stream().filter(n -> n.path("id").asText().equals(tenant.accountId()))
        .findFirst().orElseThrow();
    double running = usage(tenant.key(), "type=RUNNING_VM&instanceId=" + instanceId).stream()
        .mapToDouble(n -> n.path("rawUsage").asDouble()).sum();
    assertThat(row.path("gpuHours").asDouble()).isCloseTo(running * 2, within(0.00001));
  }

  @Test
  @Order(5)
  void theExportAgreesWithTheApiAndARerunIsByteIdentical() throws Exception {
    LocalDate day = LocalDate.ofInstant(createdPeriod, ZoneOffset.UTC);
    // both runs inside one period, so that no period closes between them
    if (Instant.now().atZone(ZoneOffset.UTC).getSecond() > 30) {
      sleepPastNextBoundary(8);
    }
    Map<String, String> first = export(day);
    Map<String, String> second = export(day);
    assertThat(second).as("a re-run writes the same bytes").isEqualTo(first);

    String csv = first.get("usage-" + day + ".csv");
    String jsonl = first.get("usage-" + day + ".jsonl");
    String sums = first.get("usage-" + day + ".sha256");
    assertThat(sums).contains(sha256(csv) + "  usage-" + day + ".csv")
        .contains(sha256(jsonl) + "  usage-" + day + ".jsonl");
    String[] csvLines = csv.split("\r\n");
    assertThat(csvLines[0]).startsWith("instance_id,instance_name,account_id");
    List<String> lines = jsonl.lines().toList();
    assertThat(csvLines).hasSize(lines.size() + 1);

    // the day's records through the API (Admin, all accounts), in the export's order
    Instant from = day.atStartOfDay(ZoneOffset.UTC).toInstant();
    List<JsonNode> api = new ArrayList<>();
    for (int page = 1; ; page++) {
      Stack.Response r = stack.admin("GET", "/usage?pageSize=1000&page=" + page + "&from=" + from + "&to="
          + from.plus(Duration.ofDays(1)), null);
      assertThat(r.status()).as(r.raw()).isEqualTo(200);
      List<JsonNode> items = Stack.list(r.body().path("items"));
      api.addAll(items);
      if (items.size() < 1000) {
        break;
      }
    }
    assertThat(lines).hasSize(api.size());
    for (int i = 0; i < lines.size(); i++) {
      JsonNode line = Stack.JSON.readTree(lines.get(i));
      JsonNode rec = api.get(i);
      for (String f : List.of("instanceId", "usageType", "periodStart", "periodEnd", "accountId", "gpuCount",
          "vgpuProfileName")) {
        assertThat(line.path(f).asText()).as(f + " of line " + i).isEqualTo(rec.path(f).asText());
      }
      assertThat(line.path("rawUsage").decimalValue()).isEqualByComparingTo(rec.path("rawUsage").decimalValue());
    }
    assertThat(lines).anyMatch(l -> l.contains(instanceId));

    Stack.Response listed = stack.admin("GET", "/usage/exports", null);
    assertThat(listed.status()).as(listed.raw()).isEqualTo(200);
    JsonNode csvEntry = Stack.list(listed.body()).stream()
        .filter(f -> f.path("file").asText().equals("usage-" + day + ".csv")).findFirst().orElseThrow();
    assertThat(csvEntry.path("rows").asLong()).isEqualTo(lines.size());
    assertThat(csvEntry.path("sha256").asText()).isEqualTo(sha256(csv));
    assertThat(csvEntry.path("bytes").asLong()).isEqualTo(csv.getBytes(StandardCharsets.UTF_8).length);

    for (String bad : List.of("..%2Fconfig.yml", "%2E%2E%2F%2E%2E%2Fconfig.yml", "usage-" + day + ".csv%00.x")) {
      Stack.Response r = stack.admin("GET", "/usage/exports/" + bad, null);
      assertThat(r.status()).as(bad + ": " + r.raw()).isIn(400, 404);
    }
    Stack.Response tenantTry = stack.call("GET", "/usage/exports", null, tenant.key());
    assertThat(tenantTry.status()).isEqualTo(403);
  }

  /** POST /usage/exports for the day, waits for the workflow, downloads each file. */
  static Map<String, String> export(LocalDate day) {
    Stack.Response r = stack.admin("POST", "/usage/exports", Map.of("date", day.toString()));
    assertThat(r.status()).as(r.raw()).isEqualTo(202);
    String wf = r.body().path("workflowId").asText();
    assertThat(wf).isEqualTo("usage-export-" + day);
    Stack.await("export " + wf + " started anew", Duration.ofSeconds(30),
        () -> stack.admin("GET", "/workflows/" + wf, null).status() == 200);
    JsonNode done = stack.awaitWorkflow(wf, WAIT);
    assertThat(done.path("status").asText()).as(done.toString()).isEqualTo("COMPLETED");
    Map<String, String> files = new TreeMap<>();
    for (String f : List.of(".csv", ".jsonl", ".sha256")) {
      Stack.Response file = stack.admin("GET", "/usage/exports/usage-" + day + f, null);
      assertThat(file.status()).as(file.raw()).isEqualTo(200);
      files.put("usage-" + day + f, file.raw());
    }
    return files;
  }

  static String sha256(String s) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  @Order(6)
  void scheduledRediscoveryStartsOneWorkflowPerUpHostPerPeriod() {
    // the scheduled discovery's interval (the stack's GPUCLOUD_DISCOVERY_INTERVAL), its last closed interval
    long every = Duration.parse(Stack.extraEnv().getOrDefault("GPUCLOUD_DISCOVERY_INTERVAL", "PT1M")).toSeconds();
    Instant p = Instant.ofEpochSecond(Math.floorDiv(Instant.now().getEpochSecond(), every) * every - every);
    for (String host : List.of("H1", "H2")) {
      String id = "discover-" + host + "-" + p.toString().replace(".000", "");
      Stack.await(id + " listed", Duration.ofSeconds(60),
          () -> !listExecutions("WorkflowId='" + id + "'").isEmpty());
    }
    Map<String, Integer> perId = new TreeMap<>();
    for (WorkflowExecutionInfo e : listExecutions("WorkflowType='Discovery'")) {
      String id = e.getExecution().getWorkflowId();
      if (id.matches("discover-H[12]-\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:00Z")) {
        perId.merge(id, 1, Integer::sum);
      }
    }
    assertThat(perId.values()).as("one scheduled discovery per host and period: " + perId).containsOnly(1);
    // every period that has a scheduled discovery of one host has one of the other: both are Up
    long h1 = perId.keySet().stream().filter(k -> k.startsWith("discover-H1-")).count();
    long h2 = perId.keySet().stream().filter(k -> k.startsWith("discover-H2-")).count();
    assertThat(Math.abs(h1 - h2)).as(perId.toString()).isLessThanOrEqualTo(1);
    JsonNode schedules = stack.get("/schedules");
    assertThat(Stack.list(schedules).stream().map(s -> s.path("name").asText()))
        .contains("usage", "usage-export", "discovery", "host-liveness");
  }

  @Test
  @Order(7)
  void aServiceDownForTwoPeriodsCatchesBothUpOnRestartEachOnce() throws Exception {
    // kill both replicas early in a period: the previous period's usage has been started
    if (Instant.now().atZone(ZoneOffset.UTC).getSecond() > 40) {
      sleepPastNextBoundary(5);
    }
    Stack.await("the previous period's usage started", Duration.ofSeconds(40),
        () -> stack.admin("GET", "/workflows/" + periodId(floor(Instant.now()).minus(PERIOD)), null).status() == 200);
    Stack.ProcessCommand one = stack.commandOf("service");
    Stack.ProcessCommand two = stack.commandOf("service-2");
    Instant killedIn = floor(Instant.now());
    Ops.kill9(stack.pid("service"));
    Ops.kill9(stack.pid("service-2"));
    List<Instant> missed = List.of(killedIn, killedIn.plus(PERIOD));
    // down until both have closed
    Thread.sleep(Duration.between(Instant.now(), killedIn.plus(PERIOD.multipliedBy(2)).plusSeconds(5)).toMillis());
    for (Instant p : missed) {
      assertThat(listExecutions("WorkflowId='" + periodId(p) + "'")).as("nothing ran " + p + " while down").isEmpty();
    }
    stack.restart("service", one);
    stack.restart("service-2", two);
    Stack.await("the restarted service answering", Duration.ofMinutes(2), () -> {
      try {
        return stack.admin("GET", "/schedules", null).status() == 200;
      } catch (IllegalStateException notYet) {
        return false;
      }
    }, Duration.ofSeconds(1));
    List<Instant> startTimes = new ArrayList<>();
    for (Instant p : missed) {
      JsonNode wf = stack.awaitWorkflow(periodId(p), WAIT);
      assertThat(wf.path("status").asText()).as(wf.toString()).isEqualTo("COMPLETED");
      assertThat(runsOf(periodId(p))).as(periodId(p) + " ran once").isEqualTo(1);
      WorkflowExecutionInfo info = listExecutions("WorkflowId='" + periodId(p) + "'").get(0);
      startTimes.add(Instant.ofEpochSecond(info.getStartTime().getSeconds(), info.getStartTime().getNanos()));
    }
    assertThat(startTimes.get(0)).as("caught up in order").isBeforeOrEqualTo(startTimes.get(1));
    try (Connection c = stack.db(); PreparedStatement ps = c.prepareStatement(
        "SELECT COUNT(*) FROM usage_periods WHERE period_start IN (?, ?)")) {
      ps.setObject(1, java.time.LocalDateTime.ofInstant(missed.get(0), ZoneOffset.UTC));
      ps.setObject(2, java.time.LocalDateTime.ofInstant(missed.get(1), ZoneOffset.UTC));
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        assertThat(rs.getInt(1)).isEqualTo(2);
      }
    }
  }
}
