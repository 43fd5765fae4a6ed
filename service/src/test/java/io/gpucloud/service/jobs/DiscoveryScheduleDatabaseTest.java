package io.gpucloud.service.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpucloud.activities.usage.UsagePeriods;
import io.gpucloud.service.TestDatabase;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Which hosts the discovery schedule starts, with a fake Temporal side, against the test database. */
class DiscoveryScheduleDatabaseTest {
  static final Duration HOUR = Duration.ofHours(1);
  static Jdbi jdbi;

  @BeforeAll
  static void setUp() {
    jdbi = TestDatabase.jdbi();
  }

  static String host(String name, String state) {
    String id = UUID.randomUUID().toString();
    jdbi.useHandle(h -> h.execute(
        "INSERT INTO hosts (id, name, hypervisor_uri, cpu_cores, cpu_mhz, memory_mb, numa_nodes, state, resource_state)"
            + " VALUES (?, ?, 'test:///default', 8, 2000, 16384, 2, ?, 'Enabled')", id, name, state));
    return id;
  }

  /** Temporal as the job sees it: the running discoveries by host, and the ids started so far. */
  static final class FakeStarts implements DiscoveryScheduleJob.DiscoveryStarts {
    final Map<String, String> runningByHost = new HashMap<>();
    final Set<String> startedIds = ConcurrentHashMap.newKeySet();
    final List<String> starts = new CopyOnWriteArrayList<>();
    final List<String> previousAsked = new CopyOnWriteArrayList<>();

    @Override
    public Optional<String> running(String hostName, String previousId, String currentId) {
      previousAsked.add(previousId);
      return Optional.ofNullable(runningByHost.get(hostName)).filter(id -> !id.equals(currentId));
    }

    @Override
    public boolean start(String workflowId, String hostName) {
      starts.add(workflowId);
      return startedIds.add(workflowId);
    }
  }

  @Test
  void startsOneDiscoveryPerUpHostSkipsOthersAndRecordsARunningOne() {
    String p = "ds-" + UUID.randomUUID().toString().substring(0, 6) + "-";
    host(p + "a", "Up");
    String busy = host(p + "b", "Up");
    host(p + "c", "Down");
    host(p + "d", "Disconnected");
    Instant now = Instant.parse("2026-12-02T10:00:04Z");
    Instant period = Instant.parse("2026-12-02T10:00:00Z");
    FakeStarts starts = new FakeStarts();
    String stillRunning = UsagePeriods.discoveryWorkflowId(p + "b", period.minus(HOUR));
    starts.runningByHost.put(p + "b", stillRunning);

    DiscoveryScheduleJob.Result r =
        DiscoveryScheduleJob.run(jdbi, new ScheduleCursors(jdbi), HOUR, now, starts);

    String mine = UsagePeriods.discoveryWorkflowId(p + "a", period);
    assertThat(r.periodStart()).isEqualTo(period);
    assertThat(r.started()).filteredOn(id -> id.contains(p)).containsExactly(mine);
    assertThat(r.skippedRunning()).filteredOn(n -> n.startsWith(p)).containsExactly(p + "b");
    assertThat(r.notUp()).filteredOn(n -> n.startsWith(p)).containsExactly(p + "c", p + "d");
    assertThat(starts.starts).filteredOn(id -> id.contains(p)).containsExactly(mine);
    assertThat(starts.previousAsked).contains(UsagePeriods.discoveryWorkflowId(p + "a", period.minus(HOUR)));

    List<Map<String, Object>> events = jdbi.withHandle(h -> h.createQuery(
            "SELECT level, type, message, workflow_id FROM host_events WHERE host_id = :h")
        .bind("h", busy).mapToMap().list());
    assertThat(events).hasSize(1);
    assertThat(events.get(0)).containsEntry("level", "INFO").containsEntry("type", "DISCOVERY_SKIPPED")
        .containsEntry("workflow_id", stillRunning);
    assertThat((String) events.get(0).get("message")).contains(stillRunning).contains("still runs");

    // a second fire in the same interval (another replica, run now) starts nothing new
    starts.runningByHost.put(p + "a", mine);
    DiscoveryScheduleJob.Result again = DiscoveryScheduleJob.run(jdbi, new ScheduleCursors(jdbi), HOUR,
        now.plusSeconds(600), starts);
    assertThat(again.started()).filteredOn(id -> id.contains(p)).isEmpty();
    assertThat(again.alreadyStarted()).filteredOn(id -> id.contains(p)).containsExactly(mine);

    ScheduleCursors.Cursor c = new ScheduleCursors(jdbi).get(DiscoveryScheduleJob.NAME).orElseThrow();
    assertThat(c.nextPeriod()).isEqualTo(period.plus(HOUR));
  }

  @Test
  void aFailedStartIsCountedAndTheOtherHostsStillStart() {
    String p = "df-" + UUID.randomUUID().toString().substring(0, 6) + "-";
    host(p + "a", "Up");
    host(p + "b", "Up");
    FakeStarts ok = new FakeStarts();
    DiscoveryScheduleJob.DiscoveryStarts failingA = new DiscoveryScheduleJob.DiscoveryStarts() {
      @Override
      public Optional<String> running(String hostName, String previousId, String currentId) {
        return Optional.empty();
      }

      @Override
      public boolean start(String workflowId, String hostName) {
        if (hostName.equals(p + "a")) {
          throw new IllegalStateException("UNAVAILABLE");
        }
        return ok.start(workflowId, hostName);
      }
    };
    Instant now = Instant.parse("2026-12-02T11:30:00Z");
    DiscoveryScheduleJob.Result r = DiscoveryScheduleJob.run(jdbi, new ScheduleCursors(jdbi), HOUR, now, failingA);
    assertThat(r.failed()).filteredOn(n -> n.startsWith(p)).containsExactly(p + "a");
    assertThat(r.started()).filteredOn(id -> id.contains(p))
        .containsExactly(UsagePeriods.discoveryWorkflowId(p + "b", Instant.parse("2026-12-02T11:00:00Z")));
  }

  @Test
  void intervalsAreAlignedToTheEpoch() {
    assertThat(DiscoveryScheduleJob.floor(Instant.parse("2026-12-02T10:59:59Z"), Duration.ofMinutes(15)))
        .isEqualTo(Instant.parse("2026-12-02T10:45:00Z"));
    assertThat(DiscoveryScheduleJob.floor(Instant.parse("2026-12-02T10:00:00Z"), HOUR))
        .isEqualTo(Instant.parse("2026-12-02T10:00:00Z"));
  }
}
