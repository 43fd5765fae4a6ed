package io.gpucloud.controlplane.usage;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gpucloud.activities.usage.UsageExportResult;
import io.gpucloud.activities.usage.UsageExportResult.ExportedFile;
import io.gpucloud.activities.usage.UsagePeriods;
import io.gpucloud.controlplane.TestDatabase;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The day's export files from real records: exact content, checksums, atomic and repeatable writes. */
class UsageExportDatabaseTest {
  private static final String AWKWARD = "a,b \"q\"\nx";
  @TempDir Path temp;
  private Path dir;
  private Jdbi jdbi;
  private UsageFixture f;
  private UsageActivitiesImpl usage;
  private String one;
  private String two;

  @BeforeEach
  void setUp() {
    jdbi = TestDatabase.jdbi();
    f = new UsageFixture(jdbi);
    dir = temp.resolve("not/yet/there");
    usage = new UsageActivitiesImpl(jdbi, new UsagePeriods(Duration.ofHours(1)), dir);
    one = f.instance(f.id(1), AWKWARD, f.offeringId);
    two = f.instance(f.id(2), "plain", "00000000-0000-0000-0000-000000000000"); // its offering was deleted
    f.change(one, "09:00", "Running", f.hostA);
    f.change(two, "10:30", "Creating", null).change(two, "10:40", "Running", f.hostB);
    Instant s = f.at("10:00");
    usage.generatePeriod(s, s.plusSeconds(3600), "usage-test");
  }

  @AfterEach
  void tearDown() {
    f.close();
  }

  private String csvRow(String id, String name, boolean offering, String host, String type, String raw,
      String seconds) {
    return String.join(",", id, name, f.accountId, f.accountName, f.domainId, f.domainPath, f.projectId,
        offering ? f.offeringId : "", offering ? f.offeringName : "", f.templateId, f.templateName, host,
        f.hostName(host), type, f.day + "T10:00:00Z", f.day + "T11:00:00Z", raw, seconds, f.cardId, f.cardName,
        f.profileId, f.profileName, "2") + "\r\n";
  }

  @Test
  void writesTheCsvJsonLinesAndChecksumsOfTheDay() throws Exception {
    UsageExportResult r = usage.writeExport(f.day);

    String csv = Files.readString(dir.resolve("usage-" + f.day + ".csv"));
    assertThat(csv).isEqualTo(String.join(",", "instance_id", "instance_name", "account_id", "account_name",
        "domain_id", "domain_path", "project_id", "offering_id", "offering_name", "template_id", "template_name",
        "host_id", "host_name", "usage_type", "period_start", "period_end", "raw_usage", "usage_seconds",
        "gpu_card_id", "gpu_card_name", "vgpu_profile_id", "vgpu_profile_name", "gpu_count") + "\r\n"
        + csvRow(one, "\"a,b \"\"q\"\"\nx\"", true, f.hostA, "RUNNING_VM", "1.000000", "3600.000")
        + csvRow(one, "\"a,b \"\"q\"\"\nx\"", true, f.hostA, "ALLOCATED_VM", "1.000000", "3600.000")
        + csvRow(two, "plain", false, f.hostB, "RUNNING_VM", "0.333333", "1200.000")
        + csvRow(two, "plain", false, f.hostB, "ALLOCATED_VM", "0.500000", "1800.000"));

    String jsonl = Files.readString(dir.resolve("usage-" + f.day + ".jsonl"));
    assertThat(jsonl).endsWith("}\n").doesNotContain("\r");
    String[] lines = jsonl.split("\n");
    assertThat(lines).hasSize(4);
    assertThat(lines[2]).isEqualTo("{\"instanceId\":\"" + two + "\",\"instanceName\":\"plain\",\"accountId\":\""
        + f.accountId + "\",\"accountName\":\"" + f.accountName + "\",\"domainId\":\"" + f.domainId
        + "\",\"domainPath\":\"" + f.domainPath + "\",\"projectId\":\"" + f.projectId
        + "\",\"offeringId\":null,\"offeringName\":null,\"templateId\":\"" + f.templateId + "\",\"templateName\":\""
        + f.templateName + "\",\"hostId\":\"" + f.hostB + "\",\"hostName\":\"" + f.hostName(f.hostB)
        + "\",\"usageType\":\"RUNNING_VM\",\"periodStart\":\"" + f.day + "T10:00:00Z\",\"periodEnd\":\"" + f.day
        + "T11:00:00Z\",\"rawUsage\":0.333333,\"usageSeconds\":1200.000,\"gpuCardId\":\"" + f.cardId
        + "\",\"gpuCardName\":\"" + f.cardName + "\",\"vgpuProfileId\":\"" + f.profileId
        + "\",\"vgpuProfileName\":\"" + f.profileName + "\",\"gpuCount\":2}");
    JsonNode first = new ObjectMapper().readTree(lines[0]);
    assertThat(first.get("instanceName").asText()).isEqualTo(AWKWARD);
    assertThat(first.get("rawUsage").isNumber()).isTrue();
    assertThat(lines[0]).contains("\"rawUsage\":1.000000,\"usageSeconds\":3600.000");

    String sums = Files.readString(dir.resolve("usage-" + f.day + ".sha256"));
    String csvSha = sha256(dir.resolve("usage-" + f.day + ".csv"));
    String jsonlSha = sha256(dir.resolve("usage-" + f.day + ".jsonl"));
    assertThat(sums).isEqualTo(csvSha + "  usage-" + f.day + ".csv\n" + jsonlSha + "  usage-" + f.day + ".jsonl\n");

    assertThat(r.day()).isEqualTo(f.day);
    assertThat(r.records()).isEqualTo(4);
    assertThat(r.files()).containsExactly(
        new ExportedFile("usage-" + f.day + ".csv", 4, Files.size(dir.resolve("usage-" + f.day + ".csv")), csvSha),
        new ExportedFile("usage-" + f.day + ".jsonl", 4, Files.size(dir.resolve("usage-" + f.day + ".jsonl")),
            jsonlSha),
        new ExportedFile("usage-" + f.day + ".sha256", 2, Files.size(dir.resolve("usage-" + f.day + ".sha256")),
            sha256(dir.resolve("usage-" + f.day + ".sha256"))));
    List<Map<String, Object>> exports = jdbi.withHandle(h -> h.createQuery("SELECT file, `rows`, bytes, sha256"
        + " FROM usage_exports WHERE day = ? ORDER BY file").bind(0, f.day).mapToMap().list());
    assertThat(exports).hasSize(3);
    assertThat(exports.get(0)).containsEntry("file", "usage-" + f.day + ".csv").containsEntry("rows", 4L)
        .containsEntry("sha256", csvSha);

    if (Files.isExecutable(Path.of("/usr/bin/sha256sum"))) {
      Process p = new ProcessBuilder("/usr/bin/sha256sum", "-c", "usage-" + f.day + ".sha256").directory(dir.toFile())
          .redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(p.waitFor()).as(out).isZero();
    }
  }

  @Test
  void aReRunIsByteIdenticalAndLeavesNoTemporaryFiles() throws Exception {
    usage.writeExport(f.day);
    Map<String, byte[]> before = contents();

    UsageExportResult again = usage.writeExport(f.day);

    Map<String, byte[]> after = contents();
    assertThat(after.keySet()).containsExactlyInAnyOrderElementsOf(UsagePeriods.exportFiles(f.day));
    for (String name : before.keySet()) {
      assertThat(after.get(name)).as(name).isEqualTo(before.get(name));
    }
    assertThat(again.records()).isEqualTo(4);
  }

  @Test
  void aDayWithoutRecordsGivesAHeaderAndAnEmptyJsonLinesFile() throws Exception {
    UsageExportResult r = usage.writeExport(f.day.plusDays(1));

    assertThat(r.records()).isZero();
    assertThat(Files.readString(dir.resolve("usage-" + f.day.plusDays(1) + ".csv"))).startsWith("instance_id,")
        .endsWith("gpu_count\r\n");
    assertThat(Files.size(dir.resolve("usage-" + f.day.plusDays(1) + ".jsonl"))).isZero();
  }

  private Map<String, byte[]> contents() throws Exception {
    try (Stream<Path> files = Files.list(dir)) {
      return files.collect(java.util.stream.Collectors.toMap(p -> p.getFileName().toString(), p -> {
        try {
          return Files.readAllBytes(p);
        } catch (java.io.IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      }));
    }
  }

  private static String sha256(Path p) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p)));
  }
}
