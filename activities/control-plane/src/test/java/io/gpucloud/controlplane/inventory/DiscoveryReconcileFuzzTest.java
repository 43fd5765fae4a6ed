package io.gpucloud.controlplane.inventory;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gpucloud.activities.discovery.DiscoveryReport;
import io.gpucloud.activities.discovery.DiscoveryReportValidator;
import io.gpucloud.activities.host.HostActivities;
import io.gpucloud.activities.host.HostRegistration;
import io.gpucloud.activities.inventory.ReconcileResult;
import io.gpucloud.controlplane.TestDatabase;
import io.temporal.common.converter.JacksonJsonPayloadConverter;
import io.temporal.failure.ApplicationFailure;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Stream;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;

/**
 * Hostile discovery output, stage two: reports through the real reconcile ({@link InventoryActivitiesImpl} on
 * MariaDB). Stage one (the agent's DiscoveryParserFuzzTest) sends 12,000 mutated outputs through the parser and
 * checks that every report it accepts passes the validation the reconcile runs first; here the parser's reports
 * of the real hardware shapes (the golden reports of src/test/resources/discovery/reports, as they come over
 * Temporal) are mutated at the record level, with values of the right JSON type that the parser never makes:
 * huge and negative numbers, names longer than their columns, megabyte strings, addresses in another form,
 * duplicate addresses, mdevs on a VF of another GPU (dangling parents), entries removed or copied, null fields,
 * problems naming devices, case-colliding profile names. Two hosts take the reports in turn, so devices go
 * missing, come back, and move between states.
 *
 * <p>Each reconcile either fails cleanly (a non-retryable ApplicationFailure of type InvalidDiscoveryOutput whose
 * message names the field; gpu_devices of the fuzz hosts, gpu_cards, vgpu_profiles and the fuzz hosts' rows
 * byte-for-byte unchanged; exactly one new host event, DISCOVERY_FAILED) or succeeds (every reported device in
 * gpu_devices, a DISCOVERY_OK event; one in four is reconciled again and must change nothing). Any other
 * exception fails the test with the seed, the case, the mutations and the report, cut.
 *
 * <p>{@code -Dfuzz.seed=N} replays the mutations (on a fresh database), {@code -Dfuzz.reconciles=N} changes the
 * count (default 1,000).
 */
class DiscoveryReconcileFuzzTest {
  static final long DEFAULT_SEED = 20_260_413L;
  static final ObjectMapper TEMPORAL_JSON = JacksonJsonPayloadConverter.newDefaultObjectMapper();
  static final JsonNodeFactory F = JsonNodeFactory.instance;
  static final String MEGABYTE = "m".repeat(1 << 20);

  static final String[] TEXT_FIELDS = {"pci_address", "vendor_id", "device_id", "vendor", "device", "driver",
      "pci_class", "iommu_group", "pci_root"};
  static final String[] INT_FIELDS = {"numa_node", "sriov_totalvfs", "sriov_numvfs", "max_instances", "max_heads",
      "max_resolution_x", "max_resolution_y"};
  static final String[] VIRTUAL_TEXT = {"address", "profile_name", "used_by_vm", "driver", "iommu_group",
      "parent_pci_address"};
  static final String[] VIRTUAL_INT = {"max_instances", "max_heads", "max_resolution_x", "max_resolution_y"};

  final Random rnd;
  final List<String> applied = new ArrayList<>();

  DiscoveryReconcileFuzzTest() {
    rnd = new Random(Long.getLong("fuzz.seed", DEFAULT_SEED));
  }

  static List<JsonNode> goldenReports() throws IOException {
    List<JsonNode> out = new ArrayList<>();
    Path dir = Path.of("src", "test", "resources", "discovery", "reports");
    try (Stream<Path> files = Files.list(dir)) {
      for (Path p : files.filter(f -> f.toString().endsWith(".json")).sorted().toList()) {
        try (InputStream in = Files.newInputStream(p)) {
          out.add(TEMPORAL_JSON.readTree(in));
        }
      }
    }
    return out;
  }

  @Test
  void mutatedReportsAreRefusedWholeOrReconciled() throws IOException {
    long seed = Long.getLong("fuzz.seed", DEFAULT_SEED);
    int cases = Integer.getInteger("fuzz.reconciles", 1_000);
    System.out.println("discovery fuzz (reconcile): seed " + seed + ", " + cases + " reconciles on MariaDB"
        + " (-Dfuzz.seed=" + seed + " replays them)");
    Jdbi jdbi = TestDatabase.jdbi();
    InventoryActivitiesImpl inventory = new InventoryActivitiesImpl(jdbi);
    String run = UUID.randomUUID().toString().substring(0, 8);
    List<String> hosts = List.of("fuzz-" + run + "-a", "fuzz-" + run + "-b");
    List<String> hostIds = new ArrayList<>();
    for (String h : hosts) {
      hostIds.add(inventory.registerHost(new HostRegistration(h, "qemu+tcp://" + h + "/system", 64, 2000, 262144, 2,
          "default", false)));
    }
    List<JsonNode> golden = goldenReports();
    Map<String, Integer> counts = new TreeMap<>();
    Map<String, String> failures = new TreeMap<>();
    long t0 = System.nanoTime();
    for (int i = 0; i < cases; i++) {
      int h = rnd.nextInt(hosts.size());
      applied.clear();
      ObjectNode tree = golden.get(rnd.nextInt(golden.size())).deepCopy();
      int n = rnd.nextInt(4); // none: a plain rediscovery
      for (int k = 0; k < n; k++) {
        mutate(tree);
      }
      String outcome;
      DiscoveryReport report = null;
      try {
        report = TEMPORAL_JSON.treeToValue(tree, DiscoveryReport.class);
        long lastEvent = lastEventId(jdbi, hostIds.get(h));
        // the inventory is dumped around the reconciles that must leave it unchanged: those the reconcile's
        // validation refuses (a refusal of a report it accepts fails below)
        boolean refusal = !DiscoveryReportValidator.valid(report);
        String before = refusal ? dump(jdbi, hostIds) : null;
        try {
          ReconcileResult r = inventory.reconcile(hosts.get(h), "wf-fuzz-" + i, report);
          assertThat(refusal).as("reconciled a report its validation refuses").isFalse();
          checkReconciled(jdbi, hostIds.get(h), report, lastEvent);
          outcome = r.devicesAdded() + r.devicesUpdated() + r.cardsCreated() + r.profilesCreated() == 0
              ? "valid, nothing changed" : "valid, inventory changed";
          if (rnd.nextInt(4) == 0) {
            String after = dump(jdbi, hostIds);
            ReconcileResult again = inventory.reconcile(hosts.get(h), "wf-fuzz-" + i + "-again", report);
            assertThat(again.devicesAdded() + again.devicesUpdated() + again.cardsCreated() + again.profilesCreated())
                .as("the same report reconciled again changes nothing: %s", again).isZero();
            assertThat(devicesCardsProfiles(dump(jdbi, hostIds))).as("inventory after the same report again")
                .isEqualTo(devicesCardsProfiles(after));
          }
        } catch (ApplicationFailure e) {
          assertThat(refusal).as("refused a report its validation accepts: %s", e.getOriginalMessage()).isTrue();
          String after = dump(jdbi, hostIds);
          assertThat(e.getType()).as("failure type of %s", e.getOriginalMessage())
              .isEqualTo(HostActivities.INVALID_DISCOVERY_OUTPUT);
          assertThat(e.isNonRetryable()).as("non-retryable").isTrue();
          assertThat(e.getOriginalMessage()).satisfiesAnyOf(m -> assertThat(m).contains("discovery report gpus["),
                  m -> assertThat(m).contains("discovery report problems["));
          assertThat(after).as("inventory after a refused report: unchanged").isEqualTo(before);
          List<String> events = eventsAfter(jdbi, hostIds.get(h), lastEvent);
          assertThat(events).as("host events after a refused report").hasSize(1);
          assertThat(events.get(0)).startsWith("ERROR DISCOVERY_FAILED ");
          outcome = "refused: " + refusedField(e.getOriginalMessage());
        }
      } catch (Throwable e) {
        outcome = "FAILED";
        String kind = e.getClass().getName() + ": " + String.valueOf(e.getMessage())
            .replaceAll("\"[^\"]*\"?", "\"..\"").replaceAll("'[^']*'?", "'..'").replaceAll("[0-9a-f-]{8,}", "X")
            .replaceAll("[0-9]+", "N");
        kind = kind.length() > 160 ? kind.substring(0, 160) : kind;
        failures.putIfAbsent(kind, describe(seed, i, e, tree) + "\n  mutations: " + applied);
      }
      counts.merge(outcome, 1, Integer::sum);
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    counts.forEach((k, v) -> System.out.printf(Locale.ROOT, "discovery fuzz (reconcile): %-45s %5d%n", k, v));
    System.out.printf(Locale.ROOT, "BENCH discovery fuzz: %d cases, %.0f cases/s (reconciles on MariaDB, the"
        + " inventory dumped around each refused one; seed %d)%n", cases, cases / seconds, seed);
    failures.values().forEach(f -> System.out.println("FAILURE " + f));
    assertThat(failures.keySet()).as("kinds of reconcile that escaped as something else than a clean refusal or"
        + " a valid reconcile (one case of each printed above, starting FAILURE)").isEmpty();
    assertThat(counts.keySet().stream().filter(k -> k.startsWith("refused")).count())
        .as("kinds of refusal seen").isGreaterThanOrEqualTo(8);
    assertThat(counts.getOrDefault("valid, inventory changed", 0)).isGreaterThan(cases / 10);
  }

  // ---- checks ----------------------------------------------------------------------------------------

  /** The inventory rows the fuzz can touch, as text: devices and rows of the fuzz hosts, all cards and profiles. */
  static String dump(Jdbi jdbi, List<String> hostIds) {
    return jdbi.withHandle(h -> {
      StringBuilder b = new StringBuilder();
      b.append(h.createQuery("SELECT * FROM gpu_devices WHERE host_id IN (<ids>) ORDER BY id")
          .bindList("ids", hostIds).mapToMap().list());
      b.append(h.createQuery("SELECT * FROM gpu_cards ORDER BY id").mapToMap().list());
      b.append(h.createQuery("SELECT * FROM vgpu_profiles ORDER BY id").mapToMap().list());
      b.append(HOSTS);
      b.append(h.createQuery("SELECT * FROM hosts WHERE id IN (<ids>) ORDER BY id").bindList("ids", hostIds)
          .mapToMap().list());
      return b.toString();
    });
  }

  static final String HOSTS = "\nhosts: ";

  /** The dump without the hosts' rows (last_discovery_at moves with every reconcile). */
  static String devicesCardsProfiles(String dump) {
    return dump.substring(0, dump.indexOf(HOSTS));
  }

  static long lastEventId(Jdbi jdbi, String hostId) {
    return jdbi.withHandle(h -> h.createQuery("SELECT COALESCE(MAX(id), 0) FROM host_events WHERE host_id = :h")
        .bind("h", hostId).mapTo(Long.class).one());
  }

  static List<String> eventsAfter(Jdbi jdbi, String hostId, long after) {
    return jdbi.withHandle(h -> h.createQuery("SELECT CONCAT(level, ' ', type, ' ', message) FROM host_events"
        + " WHERE host_id = :h AND id > :after ORDER BY id").bind("h", hostId).bind("after", after)
        .mapTo(String.class).list());
  }

  static void checkReconciled(Jdbi jdbi, String hostId, DiscoveryReport report, long lastEvent) {
    List<String> addresses = jdbi.withHandle(h -> h.createQuery(
        "SELECT bus_address FROM gpu_devices WHERE host_id = :h").bind("h", hostId).mapTo(String.class).list());
    report.gpus().forEach(g -> {
      assertThat(addresses).as("devices after a valid reconcile").contains(g.pciAddress());
      g.vfInstances().forEach(v -> assertThat(addresses).contains(v.address()));
      g.vgpuInstances().forEach(v -> assertThat(addresses).contains(v.address()));
    });
    assertThat(eventsAfter(jdbi, hostId, lastEvent)).as("events of a valid reconcile")
        .anyMatch(e -> e.startsWith("INFO DISCOVERY_OK "))
        .noneMatch(e -> e.contains("DISCOVERY_FAILED"));
  }

  /** The field a refusal names: the last step of its path. */
  static String refusedField(String message) {
    String m = message.replaceFirst(".*discovery report ", "");
    String path = m.substring(0, Math.max(0, m.indexOf(':')));
    String field = path.replaceAll(".*\\.", "").replaceAll("\\[[0-9]+]", "[]");
    String what = m.contains("duplicate address") ? " (duplicate)" : m.contains("longer than") ? " (too long)"
        : m.contains("is not a VF of") ? " (dangling parent)" : m.contains("missing") ? " (missing)" : "";
    return field + what;
  }

  static String describe(long seed, int i, Throwable e, JsonNode tree) {
    String report = tree.toString();
    String shown = report.length() <= 1500 ? report : report.substring(0, 1500) + "... (" + report.length() + ")";
    StringBuilder trace = new StringBuilder();
    for (StackTraceElement el : e.getStackTrace()) {
      if (trace.length() > 1200) {
        break;
      }
      trace.append("\n    at ").append(el);
    }
    String msg = String.valueOf(e.getMessage());
    Throwable cause = e.getCause();
    return "seed " + seed + ", case " + i + ": " + e.getClass().getName() + ": "
        + (msg.length() > 600 ? msg.substring(0, 600) + "..." : msg)
        + (cause == null ? "" : "\n  caused by " + cause) + trace + "\n  report: " + shown;
  }

  // ---- record-level mutations -----------------------------------------------------------------------

  void note(String m) {
    applied.add(m);
  }

  /** Every GPU, VF and mdev object, with a name. */
  static List<ObjectNode> entries(ObjectNode root, String which) {
    List<ObjectNode> out = new ArrayList<>();
    for (JsonNode g : root.withArray("gpus")) {
      if (which.equals("gpu")) {
        out.add((ObjectNode) g);
      } else if (g.get(which) != null && g.get(which).isArray()) {
        g.get(which).forEach(v -> out.add((ObjectNode) v));
      }
    }
    return out;
  }

  static List<String> addresses(ObjectNode root) {
    List<String> out = new ArrayList<>();
    for (JsonNode g : root.withArray("gpus")) {
      out.add(g.path("pci_address").asText());
      g.path("vf_instances").forEach(v -> out.add(v.path("address").asText()));
      g.path("vgpu_instances").forEach(v -> out.add(v.path("address").asText()));
    }
    return out;
  }

  String text() {
    return switch (rnd.nextInt(22)) {
      case 0 -> "x".repeat(65);
      case 1 -> "y".repeat(256);
      case 2 -> "z".repeat(1025);
      case 3 -> MEGABYTE;
      case 4 -> "";
      case 5 -> " ";
      case 6 -> "\ud83d\ude00".repeat(200);
      case 7 -> "\ud800";
      case 8 -> "a\u0000b";
      case 9 -> "0000:41:00.0";
      case 10 -> "41:00.0";
      case 11 -> "0000:4A:00.0";
      case 12 -> "3F1C9A52-6B0E-4D7A-9C3E-5A2B8F0D4E61";
      case 13 -> "'; DROP TABLE gpu_devices; --";
      case 14 -> "10DE";
      case 15 -> "ffff";
      case 16 -> "é".repeat(255);
      case 17 -> "\ud83d\ude00".repeat(128); // 256 chars, 128 code points
      case 18 -> "nvidia-vgpu-vfio";
      case 19 -> "12345678901";
      case 20 -> UUID.randomUUID().toString();
      default -> String.format(Locale.ROOT, "%04x:%02x:%02x.%x", rnd.nextInt(3), rnd.nextInt(256), rnd.nextInt(32),
          rnd.nextInt(8));
    };
  }

  long number() {
    return switch (rnd.nextInt(10)) {
      case 0 -> Integer.MAX_VALUE;
      case 1 -> Integer.MIN_VALUE;
      case 2 -> -1;
      case 3 -> -2;
      case 4 -> 0;
      case 5 -> Long.MAX_VALUE;
      case 6 -> Long.MIN_VALUE;
      default -> rnd.nextInt(100_000);
    };
  }

  void setNumber(ObjectNode o, String field, String where) {
    long v = number();
    boolean isLong = field.equals("video_ram");
    if (!isLong && (v > Integer.MAX_VALUE || v < Integer.MIN_VALUE)) {
      v = v > 0 ? Integer.MAX_VALUE : Integer.MIN_VALUE; // the record holds an int
    }
    o.put(field, v);
    note("set " + where + "." + field + " = " + v);
  }

  void mutate(ObjectNode root) {
    List<ObjectNode> gpus = entries(root, "gpu");
    if (gpus.isEmpty()) {
      root.withArray("gpus").add(TEMPORAL_JSON.valueToTree(Map.of()));
      return;
    }
    ObjectNode gpu = gpus.get(rnd.nextInt(gpus.size()));
    List<ObjectNode> vfs = entries(root, "vf_instances");
    List<ObjectNode> mdevs = entries(root, "vgpu_instances");
    switch (rnd.nextInt(16)) {
      case 0, 1 -> {
        String f = TEXT_FIELDS[rnd.nextInt(TEXT_FIELDS.length)];
        String v = rnd.nextInt(8) == 0 ? null : text();
        gpu.put(f, v);
        note("set gpu." + f + " = " + shown(v));
      }
      case 2 -> setNumber(gpu, rnd.nextInt(5) == 0 ? "video_ram" : INT_FIELDS[rnd.nextInt(INT_FIELDS.length)], "gpu");
      case 3, 4 -> {
        List<ObjectNode> pool = rnd.nextBoolean() && !vfs.isEmpty() ? vfs : mdevs;
        if (!pool.isEmpty()) {
          ObjectNode v = pool.get(rnd.nextInt(pool.size()));
          String f = VIRTUAL_TEXT[rnd.nextInt(VIRTUAL_TEXT.length)];
          String s = rnd.nextInt(8) == 0 ? null : text();
          v.put(f, s);
          note("set vf/mdev." + f + " = " + shown(s));
        }
      }
      case 5 -> {
        List<ObjectNode> pool = rnd.nextBoolean() && !vfs.isEmpty() ? vfs : mdevs;
        if (!pool.isEmpty()) {
          setNumber(pool.get(rnd.nextInt(pool.size())), rnd.nextInt(5) == 0 ? "video_ram"
              : VIRTUAL_INT[rnd.nextInt(VIRTUAL_INT.length)], "vf/mdev");
        }
      }
      case 6 -> { // duplicate address: another entry's address on this one
        List<String> all = addresses(root);
        String a = all.get(rnd.nextInt(all.size()));
        List<ObjectNode> pool = new ArrayList<>(gpus);
        pool.addAll(vfs);
        pool.addAll(mdevs);
        ObjectNode target = pool.get(rnd.nextInt(pool.size()));
        target.put(target.has("pci_address") ? "pci_address" : "address", a);
        note("duplicate address " + a);
      }
      case 7 -> { // dangling parent: an mdev on a VF of another GPU, on nothing, or on its GPU
        if (!mdevs.isEmpty()) {
          ObjectNode m = mdevs.get(rnd.nextInt(mdevs.size()));
          String p = !vfs.isEmpty() && rnd.nextBoolean() ? vfs.get(rnd.nextInt(vfs.size())).path("address").asText()
              : rnd.nextBoolean() ? gpu.path("pci_address").asText() : "0000:ee:1f.7";
          m.put("parent_pci_address", p);
          note("mdev parent = " + p);
        }
      }
      case 8 -> { // remove an entry: devices go missing
        int which = rnd.nextInt(3);
        ArrayNode a = which == 0 ? root.withArray("gpus") : gpu.withArray(which == 1 ? "vf_instances"
            : "vgpu_instances");
        if (a.size() > 0) {
          int k = rnd.nextInt(a.size());
          JsonNode removed = a.remove(k);
          // an mdev whose VF is gone would be refused: take the mdev to the GPU, as a script would report it
          if (which == 1) {
            String gone = removed.path("address").asText();
            gpu.withArray("vgpu_instances").forEach(m -> {
              if (gone.equals(m.path("parent_pci_address").asText())) {
                ((ObjectNode) m).putNull("parent_pci_address");
              }
            });
          }
          note("remove entry " + which + "/" + k);
        }
      }
      case 9 -> { // a new GPU: new card, new addresses
        ObjectNode copy = gpu.deepCopy();
        String address = String.format(Locale.ROOT, "%04x:%02x:00.0", 1 + rnd.nextInt(2), rnd.nextInt(256));
        copy.put("pci_address", address);
        copy.putArray("vf_instances");
        copy.putArray("vgpu_instances");
        copy.put("vendor_id", String.format(Locale.ROOT, "%04x", 0xf000 + rnd.nextInt(8)));
        copy.put("vendor", rnd.nextInt(4) == 0 ? "v".repeat(255 + rnd.nextInt(2)) : "Fuzz Vendor");
        copy.put("device", rnd.nextInt(4) == 0 ? "\ud83d\ude00".repeat(127 + rnd.nextInt(2)) : "Fuzz Card");
        root.withArray("gpus").add(copy);
        note("new GPU " + address);
      }
      case 10 -> { // full_passthrough
        JsonNode fpNode = gpu.get("full_passthrough");
        ObjectNode fp = fpNode != null && fpNode.isObject() ? (ObjectNode) fpNode : null;
        if (fp == null || rnd.nextInt(4) == 0) {
          gpu.putNull("full_passthrough");
          note("full_passthrough = null");
        } else if (rnd.nextBoolean()) {
          fp.put("enabled", !fp.path("enabled").asBoolean());
          note("flip enabled");
        } else {
          String s = rnd.nextInt(3) == 0 ? null : text();
          fp.put("used_by_vm", s);
          note("used_by_vm = " + shown(s));
        }
      }
      case 11 -> { // a problem, about a device of the report or another
        ObjectNode p = root.withArray("problems").addObject();
        List<String> all = addresses(root);
        p.put("kind", new String[] {"UNUSABLE", "LEFT_OUT", "WARNING"}[rnd.nextInt(3)]);
        p.put("entry", rnd.nextInt(6) == 0 ? text() : "gpus[" + rnd.nextInt(9) + "]");
        p.put("address", rnd.nextInt(5) == 0 ? text() : all.get(rnd.nextInt(all.size())));
        p.put("message", rnd.nextInt(4) == 0 ? text() + text() : "gpus[0].vendor_id: expected 4 hex digits");
        note("problem " + shown(p.toString()));
      }
      case 12 -> { // the problems of another report entirely: addresses of devices that exist
        ArrayNode probs = root.withArray("problems");
        for (ObjectNode g : gpus) {
          if (rnd.nextInt(3) == 0) {
            probs.addObject().put("kind", "UNUSABLE").put("entry", "gpus[9]").put("address", g.path("pci_address")
                .asText()).put("message", "gpus[9]: " + text());
          }
        }
        note("problems naming GPUs");
      }
      case 13 -> { // vGPU types on a VF
        if (!vfs.isEmpty()) {
          ArrayNode types = vfs.get(rnd.nextInt(vfs.size())).putArray("vgpu_types");
          int count = 1 + rnd.nextInt(5);
          for (int k = 0; k < count; k++) {
            types.add(rnd.nextBoolean() ? "NVIDIA L40S-" + k + "Q" : text());
          }
          note("vgpu_types x" + count);
        }
      }
      case 14 -> { // profile names that differ only in case or spaces: one row in a case-insensitive column
        if (!mdevs.isEmpty()) {
          ObjectNode m = mdevs.get(rnd.nextInt(mdevs.size()));
          String name = m.path("profile_name").asText("p");
          String v = switch (rnd.nextInt(3)) {
            case 0 -> name.toLowerCase(Locale.ROOT);
            case 1 -> name.toUpperCase(Locale.ROOT);
            default -> name + " ";
          };
          m.put("profile_name", v);
          note("profile_name = " + shown(v));
        }
      }
      default -> { // a VF moved to another GPU, or an entry copied
        if (!vfs.isEmpty()) {
          ObjectNode vf = vfs.get(rnd.nextInt(vfs.size()));
          gpu.withArray("vf_instances").add(vf.deepCopy());
          note("copy VF " + vf.path("address").asText() + " to " + gpu.path("pci_address").asText());
        }
      }
    }
  }

  static String shown(String s) {
    if (s == null) {
      return "null";
    }
    return s.length() <= 40 ? "\"" + s + "\"" : "\"" + s.substring(0, 40) + "...\" (" + s.length() + ")";
  }
}
