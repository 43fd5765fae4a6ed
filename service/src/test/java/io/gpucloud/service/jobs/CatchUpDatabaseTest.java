package io.gpucloud.service.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpucloud.activities.usage.UsagePeriods;
import io.gpucloud.service.TestDatabase;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The cursors' catch-up against the test database, with a fake starter (no Temporal): missed periods
 * start in order, once, and a failed start stops the catch-up on the failed period.
 */
class CatchUpDatabaseTest {
  static final UsagePeriods HOURS = new UsagePeriods(Duration.ofHours(1));
  static final Instant T = Instant.parse("2026-12-02T10:00:00Z");
  static Jdbi jdbi;
  static ScheduleCursors cursors;

  @BeforeAll
  static void setUp() {
    jdbi = TestDatabase.jdbi();
    cursors = new ScheduleCursors(jdbi);
  }

  static String name() {
    return "test-" + UUID.randomUUID().toString().substring(0, 8);
  }

  /** Records every start; answers the usage id, as UsageStarter does whether it started or found it started. */
  static final class FakeStarter implements PeriodStarter {
    final List<Instant> starts = new CopyOnWriteArrayList<>();
    Instant failAt;

    @Override
    public String start(Instant periodStart) {
      if (periodStart.equals(failAt)) {
        throw new IllegalStateException("UNAVAILABLE: temporal frontend down");
      }
      starts.add(periodStart);
      return UsagePeriods.workflowId(periodStart);
    }
  }

  ScheduleCursors.CatchUp usage(String name, Instant initial, Instant now, PeriodStarter starter) {
    return cursors.catchUp(name, () -> initial, HOURS.lastClosed(now), HOURS::end, starter, now);
  }

  @Test
  void threePeriodsBehindStartsThreeInOrderAndAdvancesTheCursor() {
    String name = name();
    FakeStarter starter = new FakeStarter();
    Instant now = T.plusSeconds(3); // 10:00:03: 09:00 is the last closed period
    ScheduleCursors.CatchUp r = usage(name, T.minus(Duration.ofHours(3)), now, starter);
    assertThat(starter.starts).containsExactly(T.minus(Duration.ofHours(3)), T.minus(Duration.ofHours(2)),
        T.minus(Duration.ofHours(1)));
    assertThat(r.workflowIds()).containsExactly("usage-2026-12-02T07:00:00Z", "usage-2026-12-02T08:00:00Z",
        "usage-2026-12-02T09:00:00Z");
    assertThat(r.nextPeriod()).isEqualTo(T);
    assertThat(r.failed()).isFalse();
    ScheduleCursors.Cursor c = cursors.get(name).orElseThrow();
    assertThat(c.nextPeriod()).isEqualTo(T);
    assertThat(c.lastWorkflowId()).isEqualTo("usage-2026-12-02T09:00:00Z");
    assertThat(c.lastFiredAt()).isEqualTo(now);
  }

  @Test
  void aCurrentCursorStartsNothing() {
    String name = name();
    FakeStarter starter = new FakeStarter();
    usage(name, T.minus(Duration.ofHours(1)), T.plusSeconds(1), starter);
    starter.starts.clear();
    // fired again in the same period (a second replica, "run now"): up to date
    ScheduleCursors.CatchUp r = usage(name, T.minus(Duration.ofHours(5)), T.plusSeconds(1800), starter);
    assertThat(starter.starts).isEmpty();
    assertThat(r.workflowIds()).isEmpty();
    assertThat(r.nextPeriod()).isEqualTo(T);
    // the next boundary: exactly the one new period
    usage(name, T.minus(Duration.ofHours(5)), T.plus(Duration.ofHours(1)), starter);
    assertThat(starter.starts).containsExactly(T);
  }

  @Test
  void firstRunWithoutARowStartsAtTheInitialPeriodAndAsksForItOnce() {
    String name = name();
    FakeStarter starter = new FakeStarter();
    int[] asked = new int[1];
    cursors.catchUp(name, () -> {
      asked[0]++;
      return T; // the current period: nothing closed to start yet
    }, HOURS.lastClosed(T.plusSeconds(10)), HOURS::end, starter, T.plusSeconds(10));
    assertThat(starter.starts).isEmpty();
    assertThat(asked[0]).isEqualTo(1);
    assertThat(cursors.get(name).orElseThrow().nextPeriod()).isEqualTo(T);
    assertThat(cursors.get(name).orElseThrow().lastWorkflowId()).isNull();
  }

  @Test
  void alreadyStartedCountsAsStartedAndAdvances() {
    String name = name();
    List<Instant> seen = new ArrayList<>();
    // a starter that finds every id started already (another replica won): still the id, no exception
    PeriodStarter already = p -> {
      seen.add(p);
      return UsagePeriods.workflowId(p);
    };
    ScheduleCursors.CatchUp r = usage(name, T.minus(Duration.ofHours(2)), T, already);
    assertThat(seen).hasSize(2);
    assertThat(r.nextPeriod()).isEqualTo(T);
  }

  @Test
  void aFailedStartStopsOnThatPeriodAndTheNextFireResumesThereWithoutRepeats() {
    String name = name();
    FakeStarter starter = new FakeStarter();
    starter.failAt = T.minus(Duration.ofHours(2));
    ScheduleCursors.CatchUp r = usage(name, T.minus(Duration.ofHours(4)), T, starter);
    assertThat(r.failed()).isTrue();
    assertThat(r.failure()).hasMessageContaining("UNAVAILABLE");
    assertThat(starter.starts).containsExactly(T.minus(Duration.ofHours(4)), T.minus(Duration.ofHours(3)));
    assertThat(r.nextPeriod()).isEqualTo(T.minus(Duration.ofHours(2)));
    assertThat(cursors.get(name).orElseThrow().nextPeriod()).isEqualTo(T.minus(Duration.ofHours(2)));

    starter.failAt = null;
    ScheduleCursors.CatchUp again = usage(name, T.minus(Duration.ofHours(9)), T.plusSeconds(60), starter);
    assertThat(again.failed()).isFalse();
    assertThat(starter.starts).containsExactly(T.minus(Duration.ofHours(4)), T.minus(Duration.ofHours(3)),
        T.minus(Duration.ofHours(2)), T.minus(Duration.ofHours(1)));
  }

  @Test
  void twoReplicasCatchingUpAtOnceStartEachPeriodOnce() throws Exception {
    String name = name();
    FakeStarter starter = new FakeStarter();
    // create the row first at 10 periods behind, so both see the same backlog
    cursors.catchUp(name, () -> T.minus(Duration.ofHours(10)), T.minus(Duration.ofDays(1)), HOURS::end, starter, T);
    CountDownLatch go = new CountDownLatch(1);
    PeriodStarter slow = p -> {
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return starter.start(p);
    };
    List<CompletableFuture<ScheduleCursors.CatchUp>> replicas = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      replicas.add(CompletableFuture.supplyAsync(() -> {
        try {
          go.await();
        } catch (InterruptedException e) {
          throw new IllegalStateException(e);
        }
        return usage(name, T, T.plusSeconds(5), slow);
      }));
    }
    go.countDown();
    List<String> all = new ArrayList<>();
    for (CompletableFuture<ScheduleCursors.CatchUp> f : replicas) {
      all.addAll(f.get().workflowIds());
    }
    assertThat(starter.starts).hasSize(10).doesNotHaveDuplicates();
    List<Instant> sorted = new ArrayList<>(starter.starts);
    Collections.sort(sorted);
    assertThat(starter.starts).containsExactlyElementsOf(sorted); // in order, across both replicas
    assertThat(all).hasSize(10).doesNotHaveDuplicates();
    assertThat(cursors.get(name).orElseThrow().nextPeriod()).isEqualTo(T);
  }

  @Test
  void usageStartsAtThePeriodOfTheOldestStateChange() {
    Instant oldest = Instant.parse("2001-01-01T10:17:30Z");
    String instance = UUID.randomUUID().toString();
    jdbi.useHandle(h -> h.execute("INSERT INTO instance_state_changes (instance_id, state, changed_at)"
        + " VALUES (?, 'Creating', FROM_UNIXTIME(?))", instance, oldest.getEpochSecond()));
    try {
      assertThat(UsageJob.firstPeriod(jdbi, HOURS, T)).isEqualTo(Instant.parse("2001-01-01T10:00:00Z"));
    } finally {
      jdbi.useHandle(h -> h.execute("DELETE FROM instance_state_changes WHERE instance_id = ?", instance));
    }
  }

  @Test
  void usageJobCatchesUpToTheLastClosedPeriodUnderItsName() {
    jdbi.useHandle(h -> h.execute("DELETE FROM schedule_cursors WHERE name = ?", UsageJob.NAME));
    jdbi.useHandle(h -> h.execute("INSERT INTO schedule_cursors (name, next_period) VALUES (?, ?)", UsageJob.NAME,
        ScheduleCursors.local(T.minus(Duration.ofHours(2)))));
    FakeStarter starter = new FakeStarter();
    UsageJob.run(cursors, jdbi, HOURS, T.plusSeconds(2), starter);
    assertThat(starter.starts).containsExactly(T.minus(Duration.ofHours(2)), T.minus(Duration.ofHours(1)));
    assertThat(cursors.get(UsageJob.NAME).orElseThrow().nextPeriod()).isEqualTo(T);
  }

  @Test
  void exportStartsAtYesterdayThenCatchesUpMissedDaysInOrder() {
    jdbi.useHandle(h -> h.execute("DELETE FROM schedule_cursors WHERE name = ?", UsageExportJob.NAME));
    List<Instant> days = new CopyOnWriteArrayList<>();
    PeriodStarter starter = d -> {
      days.add(d);
      return UsageExportJob.workflowId(d);
    };
    ScheduleCursors.CatchUp first = UsageExportJob.run(cursors, Instant.parse("2026-12-05T00:30:00Z"), starter);
    assertThat(first.workflowIds()).containsExactly("usage-export-2026-12-04");
    // the same night again (another replica, run now): nothing
    assertThat(UsageExportJob.run(cursors, Instant.parse("2026-12-05T09:00:00Z"), starter).workflowIds()).isEmpty();
    // down for three nights: the 5th, 6th and 7th, in order
    ScheduleCursors.CatchUp later = UsageExportJob.run(cursors, Instant.parse("2026-12-08T11:00:00Z"), starter);
    assertThat(later.workflowIds()).containsExactly("usage-export-2026-12-05", "usage-export-2026-12-06",
        "usage-export-2026-12-07");
    assertThat(later.nextPeriod()).isEqualTo(Instant.parse("2026-12-08T00:00:00Z"));
    assertThat(days).hasSize(4);
  }

  @Test
  void recordKeepsTheLastWorkflowWhenNothingStarted() {
    String name = name();
    cursors.record(name, T, "discover-H1-2026-12-02T09:00:00Z", T.minusSeconds(3600));
    cursors.record(name, T.plus(Duration.ofHours(1)), null, T);
    ScheduleCursors.Cursor c = cursors.get(name).orElseThrow();
    assertThat(c.nextPeriod()).isEqualTo(T.plus(Duration.ofHours(1)));
    assertThat(c.lastWorkflowId()).isEqualTo("discover-H1-2026-12-02T09:00:00Z");
    assertThat(c.lastFiredAt()).isEqualTo(T);
  }
}
