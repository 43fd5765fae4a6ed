package io.gpucloud.service.usage;

import static io.gpucloud.service.ApiAssertions.assertError;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import io.dropwizard.testing.junit5.ResourceExtension;
import io.gpucloud.activities.usage.UsagePeriods;
import io.gpucloud.service.TestDatabase;
import io.gpucloud.service.TestResources;
import io.gpucloud.service.auth.AdminBootstrap;
import io.gpucloud.service.auth.Caller;
import io.gpucloud.service.auth.Role;
import io.gpucloud.workflows.UsageStarter;
import jakarta.ws.rs.client.Entity;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The usage resource over in-memory HTTP with the application's auth, JSON and error mappers, against
 * the test database, with usage_records written straight into the table: who sees which records
 * (User: its account; DomainAdmin: its subtree, by the live domain path, by the snapshot path once
 * the domain is gone; Admin: all), the filters, paging, the summary's exact sums, the 400s, and the
 * Admin's exports over a temporary export directory. Every record lies in a random day of 2040-2090
 * and in random domains, so the test repeats on a database that outlives a run.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
class UsageResourceDatabaseTest {
  private static final Map<String, Caller> CALLERS = new ConcurrentHashMap<>();
  private static final List<LocalDate> STARTED = new CopyOnWriteArrayList<>();
  private static final Instant NOW = Instant.parse("2026-12-02T12:00:00Z");
  private static final Path ROOT;
  private static final Path EXPORT_DIR;
  static final ResourceExtension RESOURCES;

  static {
    try {
      ROOT = Files.createTempDirectory("usage-api-test");
      EXPORT_DIR = Files.createDirectory(ROOT.resolve("exports"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    String url = System.getenv(TestDatabase.ENV); // checked, with its message, by setUp
    Jdbi jdbi = Jdbi.create(url != null && !url.isBlank() ? url : "jdbc:mariadb://127.0.0.1:1/none");
    ExportFiles files = new ExportFiles(EXPORT_DIR);
    ExportStarter starter = day -> {
      boolean fresh = !STARTED.contains(day);
      STARTED.add(day);
      return new UsageStarter.Start(UsagePeriods.exportWorkflowId(day), fresh);
    };
    ResourceExtension.Builder b = TestResources.builder(key -> Optional.ofNullable(CALLERS.get(key)));
    b.addResource(new UsageResource(new UsageService(jdbi, files, starter, Clock.fixed(NOW, ZoneOffset.UTC)), files));
    RESOURCES = b.build();
  }

  private static final ObjectMapper EXACT = new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

  // the tree: D1 with sub-domain D1s, sibling D2; accounts A (D1), As (D1s), B (D2); account X's domain is gone
  private static String sfx;
  private static String d1;
  private static String d1Path;
  private static String d1s;
  private static String d2;
  private static String accA;
  private static String accAs;
  private static String accB;
  private static String accX;
  private static String a1;
  private static String a2;
  private static String s1;
  private static String b1;
  private static String b2;
  private static String x1;
  private static String card1;
  private static String card2;
  private static String prof1;
  private static String prof2;
  private static String prof3;
  private static LocalDate day;
  private static Instant t0;

  @BeforeAll
  static void setUp() {
    Jdbi jdbi = TestDatabase.jdbi();
    CALLERS.put("admin", TestDatabase.admin());
    sfx = UUID.randomUUID().toString().substring(0, 8);
    day = LocalDate.of(2040, 1, 1).plusDays(ThreadLocalRandom.current().nextInt(0, 50 * 365));
    t0 = day.atStartOfDay(ZoneOffset.UTC).toInstant();
    d1 = id();
    d1s = id();
    d2 = id();
    d1Path = "/ROOT/use" + sfx + "/";
    accA = id();
    accAs = id();
    accB = id();
    accX = id();
    jdbi.useHandle(h -> {
      h.execute("INSERT INTO domains (id, name, parent_id, path) VALUES (?, ?, ?, ?)", d1, "use" + sfx,
          AdminBootstrap.ROOT_DOMAIN_ID, d1Path);
      h.execute("INSERT INTO domains (id, name, parent_id, path) VALUES (?, 'sub', ?, ?)", d1s, d1, d1Path + "sub/");
      // a sibling whose name shares D1's first letters: a prefix without the trailing slash would match it
      h.execute("INSERT INTO domains (id, name, parent_id, path) VALUES (?, ?, ?, ?)", d2, "use" + sfx + "x",
          AdminBootstrap.ROOT_DOMAIN_ID, "/ROOT/use" + sfx + "x/");
      h.execute("INSERT INTO accounts (id, name, domain_id) VALUES (?, ?, ?)", accA, "acc-a-" + sfx, d1);
      h.execute("INSERT INTO accounts (id, name, domain_id) VALUES (?, ?, ?)", accAs, "acc-as-" + sfx, d1s);
      h.execute("INSERT INTO accounts (id, name, domain_id) VALUES (?, ?, ?)", accB, "acc-b-" + sfx, d2);
    });
    CALLERS.put("userA", new Caller(id(), "ua", accA, d1, Role.User));
    CALLERS.put("userB", new Caller(id(), "ub", accB, d2, Role.User));
    CALLERS.put("daD1", new Caller(id(), "da1", accA, d1, Role.DomainAdmin));
    CALLERS.put("daD1s", new Caller(id(), "da1s", accAs, d1s, Role.DomainAdmin));
    card1 = id();
    card2 = id();
    prof1 = id();
    prof2 = id();
    prof3 = id();
    a1 = id();
    a2 = id();
    s1 = id();
    b1 = id();
    b2 = id();
    x1 = id();
    Instant h1 = t0.plus(1, ChronoUnit.HOURS);
    Instant h2 = t0.plus(2, ChronoUnit.HOURS);
    jdbi.useHandle(h -> {
      // a1: account A, 2 x card1/prof1, running and allocated in hours 0 and 1
      for (Instant p : List.of(t0, h1)) {
        insert(h, a1, 1, p, "1.000000", "3600.000", accA, "acc-a-old", d1, d1Path, card1, "card-1-" + sfx, prof1, "P1-" + sfx, 2);
        insert(h, a1, 2, p, "1.000000", "3600.000", accA, "acc-a-old", d1, d1Path, card1, "card-1-" + sfx, prof1, "P1-" + sfx, 2);
      }
      // a2: account A, CPU only
      insert(h, a2, 1, t0, "0.500000", "1800.000", accA, "acc-a-old", d1, d1Path, null, null, null, null, 0);
      insert(h, a2, 2, t0, "1.000000", "3600.000", accA, "acc-a-old", d1, d1Path, null, null, null, null, 0);
      // s1: account As in the sub-domain, 1 x card1/prof2
      insert(h, s1, 1, h2, "0.250000", "900.000", accAs, "acc-as-" + sfx, d1s, d1Path + "sub/", card1, "card-1-" + sfx, prof2, "P2-" + sfx, 1);
      insert(h, s1, 2, h2, "0.333333", "1199.999", accAs, "acc-as-" + sfx, d1s, d1Path + "sub/", card1, "card-1-" + sfx, prof2, "P2-" + sfx, 1);
      // b1: account B, 4 x card2/prof3
      insert(h, b1, 1, t0, "1.000000", "3600.000", accB, "acc-b-" + sfx, d2, "/ROOT/use" + sfx + "x/", card2, "card-2-" + sfx, prof3, "P3-" + sfx, 4);
      insert(h, b1, 2, t0, "1.000000", "3600.000", accB, "acc-b-" + sfx, d2, "/ROOT/use" + sfx + "x/", card2, "card-2-" + sfx, prof3, "P3-" + sfx, 4);
      // b2: account B, whose snapshot path says D1 (stale): the live path of D2 decides, D1's admin never sees it
      insert(h, b2, 1, t0, "0.100000", "360.000", accB, "acc-b-" + sfx, d2, d1Path, card2, "card-2-" + sfx, prof3, "P3-" + sfx, 1);
      // x1: an account of a domain under D1 that no longer exists: its snapshot path decides
      insert(h, x1, 1, t0, "0.100000", "360.000", accX, "acc-x-" + sfx, id(), d1Path + "gone/", null, null, null, null, 0);
    });
  }

  private static void insert(org.jdbi.v3.core.Handle h, String instance, int type, Instant start, String raw,
      String seconds, String account, String accountName, String domain, String path, String card, String cardName,
      String profile, String profileName, int gpus) {
    h.createUpdate("INSERT INTO usage_records (instance_id, usage_type, period_start, period_end, raw_usage,"
            + " usage_seconds, instance_name, account_id, account_name, domain_id, domain_path, project_id,"
            + " offering_id, offering_name, template_id, template_name, host_id, host_name, gpu_card_id,"
            + " gpu_card_name, vgpu_profile_id, vgpu_profile_name, gpu_count) VALUES (:i, :t, :s, :e, :raw, :sec,"
            + " :name, :acc, :accName, :dom, :path, NULL, :off, 'offering', :tpl, 'template', :host, 'H1', :card,"
            + " :cardName, :prof, :profName, :gpus)")
        .bind("i", instance).bind("t", type)
        .bind("s", LocalDateTime.ofInstant(start, ZoneOffset.UTC))
        .bind("e", LocalDateTime.ofInstant(start.plus(1, ChronoUnit.HOURS), ZoneOffset.UTC))
        .bind("raw", new BigDecimal(raw)).bind("sec", new BigDecimal(seconds)).bind("name", "vm-" + instance.substring(0, 4))
        .bind("acc", account).bind("accName", accountName).bind("dom", domain).bind("path", path)
        .bind("off", id()).bind("tpl", id()).bind("host", "host-" + sfx)
        .bind("card", card).bind("cardName", cardName).bind("prof", profile).bind("profName", profileName)
        .bind("gpus", gpus)
        .execute();
  }

  private static String id() {
    return UUID.randomUUID().toString();
  }

  private static Response get(String key, String path) {
    return TestResources.request(RESOURCES, key, path).get();
  }

  /** The JSON of a 200 answer with decimals as BigDecimal, their scale kept. */
  @SuppressWarnings("unchecked")
  private static <T> T ok(Response r, Class<T> type) {
    String body = r.readEntity(String.class);
    assertThat(r.getStatus()).as(body).isEqualTo(200);
    try {
      return EXACT.readValue(body, type);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> page(String key, String query) {
    return ok(get(key, "/api/v1/usage?" + query), Map.class);
  }

  private static String window() {
    return "from=" + t0 + "&to=" + t0.plus(1, ChronoUnit.DAYS);
  }

  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> items(Map<String, Object> page) {
    return (List<Map<String, Object>>) page.get("items");
  }

  private static List<String> instances(Map<String, Object> page) {
    return items(page).stream().map(i -> (String) i.get("instanceId")).distinct().toList();
  }

  private static long total(Map<String, Object> page) {
    return ((Number) page.get("total")).longValue();
  }

  @Test
  void eachCallerSeesItsScopeOnly() {
    Map<String, Object> all = page("admin", window());
    assertThat(total(all)).isEqualTo(12);
    assertThat(instances(all)).containsExactlyInAnyOrder(a1, a2, s1, b1, b2, x1);

    Map<String, Object> userA = page("userA", window());
    assertThat(total(userA)).isEqualTo(6);
    assertThat(instances(userA)).containsExactlyInAnyOrder(a1, a2);
    // another account's records, asked for by account or instance: an empty listing, nothing leaks
    assertThat(total(page("userA", window() + "&accountId=" + accB))).isZero();
    assertThat(total(page("userA", window() + "&instanceId=" + b1))).isZero();

    Map<String, Object> userB = page("userB", window());
    assertThat(instances(userB)).containsExactlyInAnyOrder(b1, b2);
    assertThat(total(userB)).isEqualTo(3);

    // D1's admin: its subtree (a1, a2, s1) and the record of a deleted domain under it (x1, by its snapshot
    // path); not B's, not even b2 whose stale snapshot path says D1 (D2's live path decides), nor D2's
    // although D2's path begins with D1's name
    Map<String, Object> da = page("daD1", window());
    assertThat(instances(da)).containsExactlyInAnyOrder(a1, a2, s1, x1);
    assertThat(total(da)).isEqualTo(9);
    Map<String, Object> daSub = page("daD1s", window());
    assertThat(instances(daSub)).containsExactly(s1);
    assertThat(total(daSub)).isEqualTo(2);
  }

  @Test
  void hostsAreShownToAnAdminOnly() {
    Map<String, Object> admin = items(page("admin", window() + "&instanceId=" + a1)).get(0);
    assertThat(admin.get("hostId")).isEqualTo("host-" + sfx);
    assertThat(admin.get("hostName")).isEqualTo("H1");
    for (String key : List.of("userA", "daD1")) {
      Map<String, Object> item = items(page(key, window() + "&instanceId=" + a1)).get(0);
      assertThat(item).containsEntry("hostId", null).containsEntry("hostName", null);
    }
  }

  @Test
  void aRecordHasEveryFieldWithExactDecimals() {
    Map<String, Object> p = page("admin", window() + "&instanceId=" + s1 + "&type=ALLOCATED_VM");
    assertThat(p).containsEntry("page", 1).containsEntry("pageSize", 100).containsEntry("total", 1);
    Map<String, Object> r = items(p).get(0);
    assertThat(r).containsOnlyKeys("instanceId", "instanceName", "accountId", "accountName", "domainId", "domainPath",
        "projectId", "offeringId", "offeringName", "templateId", "templateName", "hostId", "hostName", "usageType",
        "periodStart", "periodEnd", "rawUsage", "usageSeconds", "gpuCardId", "gpuCardName", "vgpuProfileId",
        "vgpuProfileName", "gpuCount");
    assertThat(r).containsEntry("instanceId", s1).containsEntry("accountId", accAs)
        .containsEntry("accountName", "acc-as-" + sfx).containsEntry("domainId", d1s)
        .containsEntry("domainPath", d1Path + "sub/").containsEntry("usageType", "ALLOCATED_VM")
        .containsEntry("periodStart", t0.plus(2, ChronoUnit.HOURS).toString())
        .containsEntry("periodEnd", t0.plus(3, ChronoUnit.HOURS).toString())
        .containsEntry("gpuCardId", card1).containsEntry("gpuCardName", "card-1-" + sfx)
        .containsEntry("vgpuProfileId", prof2).containsEntry("vgpuProfileName", "P2-" + sfx)
        .containsEntry("gpuCount", 1).containsEntry("offeringName", "offering").containsEntry("templateName", "template");
    assertThat(r.get("periodStart")).asString().endsWith("T02:00:00Z");
    // scale kept: BigDecimal.equals compares it
    assertThat(r.get("rawUsage")).isEqualTo(new BigDecimal("0.333333"));
    assertThat(r.get("usageSeconds")).isEqualTo(new BigDecimal("1199.999"));
    assertThat(items(page("admin", window() + "&instanceId=" + a1)).get(0).get("rawUsage"))
        .isEqualTo(new BigDecimal("1.000000"));
  }

  @Test
  void filtersByTypeTimeAccountAndInstance() {
    assertThat(total(page("admin", window() + "&accountId=" + accA + "&type=RUNNING_VM"))).isEqualTo(3);
    assertThat(total(page("admin", window() + "&accountId=" + accA + "&type=1"))).isEqualTo(3);
    assertThat(total(page("admin", window() + "&accountId=" + accA + "&type=2"))).isEqualTo(3);
    assertThat(items(page("admin", window() + "&accountId=" + accA + "&type=allocated_vm")))
        .allSatisfy(i -> assertThat(i).containsEntry("usageType", "ALLOCATED_VM"));
    assertThat(total(page("admin", window() + "&instanceId=" + a1))).isEqualTo(4);
    // [from, to): the records of hour 1 only
    Map<String, Object> hour1 = page("admin", "from=" + t0.plus(1, ChronoUnit.HOURS) + "&to=" + t0.plus(2, ChronoUnit.HOURS));
    assertThat(instances(hour1)).containsExactly(a1);
    assertThat(total(hour1)).isEqualTo(2);
    // dates are that day's 00:00Z
    assertThat(total(page("admin", "from=" + day + "&to=" + day.plusDays(1)))).isEqualTo(12);
    assertThat(total(page("admin", "from=" + day + "&to=" + day))).isZero();
    // an offset other than Z
    assertThat(total(page("admin", "from=" + day + "T01:00:00%2B01:00&to=" + day.plusDays(1) + "&instanceId=" + a1)))
        .isEqualTo(4);
  }

  @Test
  void pagesAreOrderedAndCounted() {
    List<Map<String, Object>> all = items(page("admin", window()));
    assertThat(all).hasSize(12);
    // ordered by period_start, instance_id, usage_type
    for (int i = 1; i < all.size(); i++) {
      Map<String, Object> a = all.get(i - 1);
      Map<String, Object> b = all.get(i);
      int c = ((String) a.get("periodStart")).compareTo((String) b.get("periodStart"));
      if (c == 0) {
        c = ((String) a.get("instanceId")).compareTo((String) b.get("instanceId"));
      }
      if (c == 0) {
        c = ((String) a.get("usageType")).compareTo((String) b.get("usageType")) * -1; // RUNNING_VM (1) first
      }
      assertThat(c).as("order at %d", i).isLessThan(0);
    }
    Map<String, Object> p2 = page("admin", window() + "&page=2&pageSize=5");
    assertThat(p2).containsEntry("page", 2).containsEntry("pageSize", 5).containsEntry("total", 12);
    assertThat(items(p2)).isEqualTo(all.subList(5, 10));
    assertThat(items(page("admin", window() + "&page=3&pageSize=5"))).isEqualTo(all.subList(10, 12));
    Map<String, Object> beyond = page("admin", window() + "&page=4&pageSize=5");
    assertThat(items(beyond)).isEmpty();
    assertThat(total(beyond)).isEqualTo(12);
    assertThat(total(page("admin", window() + "&pageSize=1000"))).isEqualTo(12);
  }

  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> summary(String key, String groupBy) {
    return ok(get(key, "/api/v1/usage/summary?" + window() + "&groupBy=" + groupBy), List.class);
  }

  private static Map<String, Object> group(String groupBy, String id, String name, int instances, String running,
      String allocated, String gpu, String allocatedGpu) {
    Map<String, Object> m = new java.util.LinkedHashMap<>();
    m.put("groupBy", groupBy);
    m.put("id", id);
    m.put("name", name);
    m.put("instances", instances);
    m.put("runningHours", new BigDecimal(running));
    m.put("allocatedHours", new BigDecimal(allocated));
    m.put("gpuHours", new BigDecimal(gpu));
    m.put("allocatedGpuHours", new BigDecimal(allocatedGpu));
    return m;
  }

  @Test
  void summarySumsPerAccountCardAndProfile() {
    // per account: the live account name wins over the snapshot (a1/a2 were generated as "acc-a-old"),
    // the snapshot names a deleted account
    assertThat(summary("admin", "account")).filteredOn(g -> Set.of(accA, accAs, accB, accX).contains(g.get("id")))
        .containsExactly(
            group("account", accA, "acc-a-" + sfx, 2, "2.500000", "3.000000", "4.000000", "4.000000"),
            group("account", accAs, "acc-as-" + sfx, 1, "0.250000", "0.333333", "0.250000", "0.333333"),
            group("account", accB, "acc-b-" + sfx, 2, "1.100000", "1.000000", "4.100000", "4.000000"),
            group("account", accX, "acc-x-" + sfx, 1, "0.100000", "0.000000", "0.000000", "0.000000"));
    assertThat(summary("userA", "account")).containsExactly(
        group("account", accA, "acc-a-" + sfx, 2, "2.500000", "3.000000", "4.000000", "4.000000"));
    assertThat(summary("userB", "account")).containsExactly(
        group("account", accB, "acc-b-" + sfx, 2, "1.100000", "1.000000", "4.100000", "4.000000"));

    // per card, in D1's subtree: card1 (a1 2 GPUs, s1 1 GPU) and the CPU-only a2 and x1 under "(no GPU)", first by name
    assertThat(summary("daD1", "card")).containsExactly(
        group("card", null, "(no GPU)", 2, "0.600000", "1.000000", "0.000000", "0.000000"),
        group("card", card1, "card-1-" + sfx, 2, "2.250000", "2.333333", "4.250000", "4.333333"));
    assertThat(summary("daD1s", "card")).containsExactly(
        group("card", card1, "card-1-" + sfx, 1, "0.250000", "0.333333", "0.250000", "0.333333"));

    assertThat(summary("daD1", "profile")).containsExactly(
        group("profile", null, "(no GPU)", 2, "0.600000", "1.000000", "0.000000", "0.000000"),
        group("profile", prof1, "P1-" + sfx, 1, "2.000000", "2.000000", "4.000000", "4.000000"),
        group("profile", prof2, "P2-" + sfx, 1, "0.250000", "0.333333", "0.250000", "0.333333"));
    assertThat(summary("userB", "PROFILE")).containsExactly(
        group("profile", prof3, "P3-" + sfx, 2, "1.100000", "1.000000", "4.100000", "4.000000"));
  }

  @Test
  void badParametersAre400sNamingThem() {
    assertError(get("admin", "/api/v1/usage?type=STOPPED_VM"), 400, "type must be RUNNING_VM (1) or ALLOCATED_VM (2)");
    assertError(get("admin", "/api/v1/usage?type=3"), 400, "type");
    assertError(get("admin", "/api/v1/usage?from=2026-13-01"), 400, "from must be an ISO-8601 time");
    assertError(get("admin", "/api/v1/usage?to=yesterday"), 400, "to must be an ISO-8601 time");
    assertError(get("admin", "/api/v1/usage?from=2026-12-02T10:00:00"), 400, "from"); // no offset
    assertError(get("admin", "/api/v1/usage?from=2026-12-03&to=2026-12-02"), 400, "from (2026-12-03T00:00:00Z) must not be after to");
    assertError(get("admin", "/api/v1/usage?to=%2B999999999-12-31T23:59:59Z"), 400, "to must lie between");
    assertError(get("admin", "/api/v1/usage?pageSize=0"), 400, "pageSize must be an integer between 1 and 1000");
    assertError(get("admin", "/api/v1/usage?pageSize=5000"), 400, "pageSize must be an integer between 1 and 1000");
    assertError(get("admin", "/api/v1/usage?page=0"), 400, "page must be an integer >= 1");
    assertError(get("admin", "/api/v1/usage?page=x"), 400, "page must be an integer");
    assertError(get("admin", "/api/v1/usage?accountId=nope"), 400, "accountId must be a UUID");
    assertError(get("admin", "/api/v1/usage?instanceId=nope"), 400, "instanceId must be a UUID");
    assertError(get("admin", "/api/v1/usage/summary?" + window() + "&groupBy=x"), 400,
        "groupBy must be one of account, card, profile");
    assertError(get("admin", "/api/v1/usage/summary?to=2026-12-02"), 400, "from is required");
    assertError(get("admin", "/api/v1/usage/summary?from=2026-12-02"), 400, "to is required");
    assertError(get("userA", "/api/v1/usage/summary?from=2026-12-03&to=2026-12-02"), 400, "must not be after to");
    assertThat(get("nobody", "/api/v1/usage").getStatus()).isEqualTo(401);
  }

  // ---- exports ----

  private static Response post(String key, String json) {
    return TestResources.request(RESOURCES, key, "/api/v1/usage/exports").post(Entity.json(json));
  }

  @Test
  @SuppressWarnings("unchecked")
  void anAdminStartsAnExportOfTodayOrEarlier() {
    Response r = post("admin", "{\"date\":\"2026-12-02\"}"); // today, by the test's clock
    assertThat(r.getStatus()).isEqualTo(202);
    assertThat(r.readEntity(Map.class)).isEqualTo(Map.of("workflowId", "usage-export-2026-12-02", "started", true));
    // the same day again: the starter found it running
    assertThat(post("admin", "{\"date\":\"2026-12-02\"}").readEntity(Map.class)).containsEntry("started", false);
    assertThat(post("admin", "{\"date\":\"2026-11-30\"}").getStatus()).isEqualTo(202);
    assertThat(STARTED).contains(LocalDate.parse("2026-12-02"), LocalDate.parse("2026-11-30"));
    assertError(post("admin", "{\"date\":\"2026-12-03\"}"), 400, "date 2026-12-03 is in the future");
    assertError(post("admin", "{\"date\":\"2026-02-30\"}"), 400, "date must be a date YYYY-MM-DD");
    assertError(post("admin", "{\"date\":\"02.12.2026\"}"), 400, "date must be a date YYYY-MM-DD");
    assertError(post("admin", "{}"), 400, "date is required");
    assertError(post("admin", "{\"date\":20261202}"), 400, "date");
    assertError(post("admin", "{\"date\":\"2026-12-01\",\"format\":\"csv\"}"), 400, "format");
    assertError(post("admin", "not json"), 400, "malformed JSON");
    assertError(post("userA", "{\"date\":\"2026-12-01\"}"), 403, "requires role Admin");
    assertError(post("daD1", "{\"date\":\"2026-12-01\"}"), 403, "requires role Admin");
    assertThat(STARTED).doesNotContain(LocalDate.parse("2026-12-01"), LocalDate.parse("2026-12-03"));
  }

  private static void exportRow(String file, LocalDate d, long rows, long bytes) {
    TestDatabase.jdbi().useHandle(h -> h.execute("REPLACE INTO usage_exports (file, day, `rows`, bytes, sha256)"
        + " VALUES (?, ?, ?, ?, ?)", file, d, rows, bytes, "ab".repeat(32)));
  }

  @Test
  @SuppressWarnings("unchecked")
  void anAdminListsAndDownloadsTheExportFiles() throws IOException {
    LocalDate older = day.minusDays(1);
    for (LocalDate d : List.of(day, older)) {
      for (String f : UsagePeriods.exportFiles(d)) {
        String content = f.endsWith(".csv") ? "instance_id,usage_type\nx,1\n" : f.endsWith(".jsonl") ? "{\"a\":1}\n"
            : "abc  " + f + "\n";
        Files.writeString(EXPORT_DIR.resolve(f), content);
        exportRow(f, d, 1, content.length());
      }
    }
    // recorded but not in the directory: not listed
    exportRow("usage-" + day.plusDays(1) + ".csv", day.plusDays(1), 5, 50);
    // a secret beside the directory, and a link to it inside, named like an export
    Files.writeString(ROOT.resolve("config.yml"), "TOPSECRET");
    String linkName = "usage-" + day.minusDays(2) + ".csv";
    Files.createSymbolicLink(EXPORT_DIR.resolve(linkName), ROOT.resolve("config.yml"));
    exportRow(linkName, day.minusDays(2), 1, 9);

    List<Map<String, Object>> listed = ok(get("admin", "/api/v1/usage/exports"), List.class);
    assertThat(listed).extracting(m -> m.get("file")).containsExactly(
        "usage-" + day + ".csv", "usage-" + day + ".jsonl", "usage-" + day + ".sha256",
        "usage-" + older + ".csv", "usage-" + older + ".jsonl", "usage-" + older + ".sha256");
    assertThat(listed.get(0)).containsOnlyKeys("file", "day", "rows", "bytes", "sha256", "writtenAt")
        .containsEntry("day", day.toString()).containsEntry("rows", 1).containsEntry("sha256", "ab".repeat(32));
    assertThat((String) listed.get(0).get("writtenAt")).endsWith("Z");

    Response csv = get("admin", "/api/v1/usage/exports/usage-" + day + ".csv");
    assertThat(csv.getStatus()).isEqualTo(200);
    assertThat(csv.getMediaType().toString()).startsWith("text/csv");
    assertThat(csv.getHeaderString(HttpHeaders.CONTENT_DISPOSITION))
        .isEqualTo("attachment; filename=\"usage-" + day + ".csv\"");
    assertThat(csv.readEntity(String.class)).isEqualTo("instance_id,usage_type\nx,1\n");
    Response jsonl = get("admin", "/api/v1/usage/exports/usage-" + day + ".jsonl");
    assertThat(jsonl.getMediaType().toString()).startsWith("application/x-ndjson");
    assertThat(jsonl.readEntity(String.class)).isEqualTo("{\"a\":1}\n");
    Response sha = get("admin", "/api/v1/usage/exports/usage-" + day + ".sha256");
    assertThat(sha.getMediaType().toString()).startsWith("text/plain");
    assertThat(sha.readEntity(byte[].class)).isEqualTo(("abc  usage-" + day + ".sha256\n").getBytes(StandardCharsets.UTF_8));

    assertError(get("admin", "/api/v1/usage/exports/usage-" + day.plusDays(1) + ".csv"), 404, "does not exist");
    assertError(get("admin", "/api/v1/usage/exports/" + linkName), 404, "does not exist");
    assertError(get("admin", "/api/v1/usage/exports/config.yml"), 400, "file must be named usage-YYYY-MM-DD");
    assertError(get("admin", "/api/v1/usage/exports/usage-" + day + ".txt"), 400, "file must be named");
    for (String evil : List.of("..%2Fconfig.yml", "..%252Fconfig.yml", "%2E%2E%2Fconfig.yml", "%2Fetc%2Fpasswd",
        "usage-" + day + ".csv%2F..%2F..%2Fconfig.yml", "..%5Cconfig.yml", "usage-" + day + ".csv%00",
        "../config.yml", "..%2F..%2Fexports%2Fusage-" + day + ".csv")) {
      Response r = get("admin", "/api/v1/usage/exports/" + evil);
      assertThat(r.getStatus()).as(evil).isIn(400, 404);
      assertThat(r.readEntity(String.class)).as(evil).doesNotContain("TOPSECRET").doesNotContain("instance_id,");
    }
    assertError(get("userA", "/api/v1/usage/exports"), 403, "requires role Admin");
    assertError(get("daD1", "/api/v1/usage/exports/usage-" + day + ".csv"), 403, "requires role Admin");
  }
}
