package io.gpucloud.controlplane.usage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gpucloud.activities.usage.UsagePeriodResult;
import io.gpucloud.activities.usage.UsagePeriods;
import io.gpucloud.controlplane.TestDatabase;
import io.temporal.failure.ApplicationFailure;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The generation SQL against the real schema on MariaDB, over hand-written state histories. */
class UsageGenerationDatabaseTest {
  private static final UsagePeriods HOURLY = new UsagePeriods(Duration.ofHours(1));
  @TempDir Path exportDir;
  private Jdbi jdbi;
  private UsageFixture f;
  private UsageActivitiesImpl usage;

  @BeforeEach
  void setUp() {
    jdbi = TestDatabase.jdbi();
    f = new UsageFixture(jdbi);
    usage = new UsageActivitiesImpl(jdbi, HOURLY, exportDir);
  }

  /** Generates the hour starting at hh:mm on the fixture's day. */
  private UsagePeriodResult hour(String start) {
    Instant s = f.at(start);
    return usage.generatePeriod(s, s.plus(Duration.ofHours(1)), UsagePeriods.workflowId(s));
  }

  /** "raw_usage usage_seconds" of the instance's record of a type in the period starting at {@code start}. */
  private Optional<String> record(String instanceId, int type, Instant start) {
    return jdbi.withHandle(h -> h.createQuery("SELECT CONCAT(raw_usage, ' ', usage_seconds) FROM usage_records"
            + " WHERE instance_id = ? AND usage_type = ? AND period_start = ?")
        .bind(0, instanceId).bind(1, type).bind(2, UsageGenerator.sqlTime(start)).mapTo(String.class).findOne());
  }

  private Optional<String> running(String id, String start) {
    return record(id, 1, f.at(start));
  }

  private Optional<String> allocated(String id, String start) {
    return record(id, 2, f.at(start));
  }

  private Map<String, Object> row(String id, int type, String start) {
    return jdbi.withHandle(h -> h.createQuery("SELECT * FROM usage_records WHERE instance_id = ? AND usage_type = ?"
        + " AND period_start = ?").bind(0, id).bind(1, type).bind(2, UsageGenerator.sqlTime(f.at(start)))
        .mapToMap().one());
  }

  @AfterEach
  void tearDown() {
    f.close();
  }

  @Test
  void partialPeriodsAtBothEndsAndFullOnesBetween() {
    String id = f.instance("vm1");
    f.change(id, "10:39", "Creating", f.hostA).change(id, "10:40", "Running", f.hostA)
        .change(id, "12:15", "Destroying", f.hostA).change(id, "12:16", "Destroyed", null);

    assertThat(hour("09:00").instances()).isZero();
    UsagePeriodResult first = hour("10:00");
    hour("11:00");
    hour("12:00");
    hour("13:00");

    assertThat(first.instances()).isEqualTo(1);
    assertThat(first.written()).isEqualTo(2);
    assertThat(first.records()).isEqualTo(2);
    assertThat(running(id, "10:00")).contains("0.333333 1200.000");
    assertThat(allocated(id, "10:00")).contains("0.350000 1260.000");
    assertThat(running(id, "11:00")).contains("1.000000 3600.000");
    assertThat(allocated(id, "11:00")).contains("1.000000 3600.000");
    assertThat(running(id, "12:00")).contains("0.250000 900.000");
    assertThat(allocated(id, "12:00")).contains("0.266667 960.000"); // Destroying still holds it
    assertThat(running(id, "09:00")).isEmpty();
    assertThat(allocated(id, "13:00")).isEmpty();
    assertThat(running(id, "13:00")).isEmpty();
  }

  @Test
  void createdAndDestroyedInsideOnePeriod() {
    String id = f.instance("short");
    f.change(id, "10:05", "Creating", null).change(id, "10:06", "Running", f.hostA)
        .change(id, "10:30", "Stopping", f.hostA).change(id, "10:31", "Stopped", f.hostA)
        .change(id, "10:50", "Destroying", f.hostA).change(id, "10:51", "Destroyed", null);

    hour("10:00");
    assertThat(hour("11:00").instances()).isZero();

    assertThat(running(id, "10:00")).contains("0.400000 1440.000");
    assertThat(allocated(id, "10:00")).contains("0.766667 2760.000");
    assertThat(row(id, 1, "10:00")).containsEntry("host_id", f.hostA).containsEntry("host_name", f.hostName(f.hostA));
  }

  @Test
  void stopAndStartWithinAPeriodCountOnlyTheRunningTime() {
    String id = f.instance("stopstart");
    f.change(id, "09:30", "Creating", f.hostA).change(id, "09:31", "Running", f.hostA)
        .change(id, "10:10", "Stopping", f.hostA).change(id, "10:11", "Stopped", f.hostA)
        .change(id, "10:30", "Starting", f.hostA).change(id, "10:31:30.250000", "Running", f.hostA);

    hour("10:00");

    // 10 min + 28 min 29.75 s = 38 min 29.75 s = 2309.75 s
    assertThat(running(id, "10:00")).contains("0.641597 2309.750");
    assertThat(allocated(id, "10:00")).contains("1.000000 3600.000");
  }

  @Test
  void rebootingCountsAsRunningAndErrorAsAllocatedOnly() {
    String id = f.instance("reboot");
    f.change(id, "09:00", "Running", f.hostA).change(id, "10:15", "Rebooting", f.hostA)
        .change(id, "10:16", "Running", f.hostA).change(id, "10:45", "Error", f.hostA);

    hour("10:00");

    assertThat(running(id, "10:00")).contains("0.750000 2700.000");
    assertThat(allocated(id, "10:00")).contains("1.000000 3600.000");
  }

  @Test
  void migrationMovesTheHostAndRunningTimeContinuesAcrossHosts() {
    String id = f.instance("mover");
    f.change(id, "09:00", "Running", f.hostA).change(id, "10:20", "Stopping", f.hostA)
        .change(id, "10:21", "Stopped", f.hostA).change(id, "10:25", "Migrating", f.hostA)
        .change(id, "10:30", "Stopped", f.hostB).change(id, "10:40", "Starting", f.hostB)
        .change(id, "10:41", "Running", f.hostB)
        // stopped with its devices given back and no host: the record keeps the last host it had
        .change(id, "10:50", "Stopping", f.hostB).change(id, "10:51", "Stopped", null);

    hour("10:00");
    hour("11:00");

    assertThat(running(id, "10:00")).contains("0.483333 1740.000"); // 20 min on A + 9 min on B
    assertThat(allocated(id, "10:00")).contains("1.000000 3600.000");
    Map<String, Object> r = row(id, 1, "10:00");
    assertThat(r).containsEntry("host_id", f.hostB).containsEntry("host_name", f.hostName(f.hostB));
    assertThat(running(id, "11:00")).contains("0.000000 0.000"); // written although it did not run
    assertThat(allocated(id, "11:00")).contains("1.000000 3600.000");
    assertThat(row(id, 2, "11:00")).containsEntry("host_id", null);
  }

  @Test
  void recordsCarryTheSnapshotAndADeletedOfferingLeavesItsColumnsEmpty() {
    String id = f.instance("snap");
    String gone = f.instance("gone", "00000000-0000-0000-0000-000000000000");
    f.change(id, "09:00", "Running", f.hostA);
    f.change(gone, "09:00", "Running", f.hostA);

    hour("10:00");

    assertThat(row(id, 2, "10:00"))
        .containsEntry("instance_name", "snap").containsEntry("account_id", f.accountId)
        .containsEntry("account_name", f.accountName).containsEntry("domain_id", f.domainId)
        .containsEntry("domain_path", f.domainPath).containsEntry("project_id", f.projectId)
        .containsEntry("offering_id", f.offeringId).containsEntry("offering_name", f.offeringName)
        .containsEntry("template_id", f.templateId).containsEntry("template_name", f.templateName)
        .containsEntry("gpu_card_id", f.cardId).containsEntry("gpu_card_name", f.cardName)
        .containsEntry("vgpu_profile_id", f.profileId).containsEntry("vgpu_profile_name", f.profileName)
        .containsEntry("gpu_count", 2);
    assertThat(row(gone, 2, "10:00")).containsEntry("offering_id", null).containsEntry("offering_name", null)
        .containsEntry("template_name", f.templateName);
  }

  @Test
  void aPeriodAcrossMidnightIsCutAtTheDayBoundaryInUtc() {
    String id = f.instance("night");
    f.change(id, "23:30", "Running", f.hostA);
    Instant lastOfDay = f.at("23:00");
    Instant midnight = f.day.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant();

    usage.generatePeriod(lastOfDay, midnight, "usage-a");
    usage.generatePeriod(midnight, midnight.plusSeconds(3600), "usage-b");

    assertThat(record(id, 1, lastOfDay)).contains("0.500000 1800.000");
    assertThat(record(id, 1, midnight)).contains("1.000000 3600.000");
    assertThat(usage.missingPeriods(f.day)).hasSize(23).doesNotContain(lastOfDay).startsWith(f.at("00:00"));
    assertThat(usage.missingPeriods(f.day.plusDays(1))).hasSize(23).doesNotContain(midnight);
  }

  @Test
  void missingPeriodsOfTodayAreOnlyTheClosedOnes() {
    Instant now = Instant.now();
    List<Instant> missing = usage.missingPeriods(now.atZone(ZoneOffset.UTC).toLocalDate());
    assertThat(missing).allSatisfy(s -> assertThat(HOURLY.end(s)).isBeforeOrEqualTo(now));
    assertThat(missing).isSorted();
  }

  @Test
  void aReRunWritesNothingAndChangesNothing() {
    String id = f.instance("again");
    f.change(id, "09:00", "Running", f.hostA).change(id, "10:30", "Stopping", f.hostA)
        .change(id, "10:31", "Stopped", f.hostA);
    UsagePeriodResult first = hour("10:00");
    List<Map<String, Object>> records = dump("usage_records");
    List<Map<String, Object>> periods = dump("usage_periods");

    UsagePeriodResult again = hour("10:00");

    assertThat(first.written()).isEqualTo(2);
    assertThat(again).isEqualTo(new UsagePeriodResult(first.start(), first.end(), 1, 0, 2));
    assertThat(dump("usage_records")).isEqualTo(records);
    assertThat(dump("usage_periods")).isEqualTo(periods);
  }

  private List<Map<String, Object>> dump(String table) {
    String key = table.equals("usage_records") ? "id" : "period_start";
    return jdbi.withHandle(h -> h.createQuery("SELECT * FROM " + table + " WHERE period_start >= ? AND period_start"
        + " < ? ORDER BY " + key).bind(0, UsageGenerator.sqlTime(f.at("00:00")))
        .bind(1, UsageGenerator.sqlTime(f.at("00:00").plus(Duration.ofDays(1)))).mapToMap().list());
  }

  @Test
  void anUnclosedPeriodIsRefusedRetryably() {
    Instant current = HOURLY.floor(Instant.now());

    assertThatThrownBy(() -> usage.generatePeriod(current, HOURLY.end(current), "usage-now"))
        .isInstanceOfSatisfying(ApplicationFailure.class, e -> {
          assertThat(e.getType()).isEqualTo(UsageActivitiesImpl.PERIOD_NOT_CLOSED);
          assertThat(e.isNonRetryable()).isFalse();
        });
    int generated = jdbi.withHandle(h -> h.createQuery("SELECT COUNT(*) FROM usage_periods WHERE period_start = ?")
        .bind(0, UsageGenerator.sqlTime(current)).mapTo(Integer.class).one());
    assertThat(generated).isZero();
  }

  @Test
  void aPeriodNotOfTheConfiguredLengthOrAlignmentIsRefusedForGood() {
    Instant s = f.at("10:00");
    assertThatThrownBy(() -> usage.generatePeriod(s.plusSeconds(60), s.plusSeconds(3660), "x"))
        .isInstanceOfSatisfying(ApplicationFailure.class, e -> {
          assertThat(e.getType()).isEqualTo(UsageActivitiesImpl.INVALID_PERIOD);
          assertThat(e.isNonRetryable()).isTrue();
          assertThat(e.getOriginalMessage()).contains("not aligned");
        });
    assertThatThrownBy(() -> usage.generatePeriod(s, s.plusSeconds(1800), "x"))
        .isInstanceOfSatisfying(ApplicationFailure.class, e -> {
          assertThat(e.isNonRetryable()).isTrue();
          assertThat(e.getOriginalMessage()).contains("must be start + PT1H");
        });
  }
}
