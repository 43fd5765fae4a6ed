package io.gpucloud.service.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import org.junit.jupiter.api.Test;
import org.quartz.CalendarIntervalTrigger;
import org.quartz.CronTrigger;
import org.quartz.JobKey;
import org.quartz.Trigger;
import org.quartz.spi.OperableTrigger;

/** The triggers of the usage, export and discovery jobs: aligned to boundaries, UTC, fire now on misfire. */
class QuartzTriggersTest {
  static final JobKey JOB = JobKey.jobKey("usage", QuartzManaged.GROUP);

  @Test
  void intervalTriggerStartsAtTheNextBoundary() {
    Instant now = Instant.parse("2026-12-02T10:17:42Z");
    Trigger t = QuartzManaged.alignedTrigger(JOB, "usage", Duration.ofHours(1), now);
    assertThat(t.getStartTime().toInstant()).isEqualTo(Instant.parse("2026-12-02T11:00:00Z"));
    assertThat(QuartzManaged.nextBoundary(Instant.parse("2026-12-02T11:00:00Z"), Duration.ofMinutes(15)))
        .isEqualTo(Instant.parse("2026-12-02T11:15:00Z"));
    assertThat(t.getMisfireInstruction()).isEqualTo(CalendarIntervalTrigger.MISFIRE_INSTRUCTION_FIRE_ONCE_NOW);
  }

  @Test
  void aMisfiredIntervalTriggerFiresNowAndThenKeepsItsBoundaries() {
    // scheduled long ago (the service was down): its next fire is in the past
    Instant longAgo = Instant.now().minus(Duration.ofDays(2));
    OperableTrigger t = (OperableTrigger) QuartzManaged.alignedTrigger(JOB, "usage", Duration.ofHours(1), longAgo);
    t.computeFirstFireTime(null);
    Instant before = Instant.now();
    t.updateAfterMisfire(null);
    Instant fire = t.getNextFireTime().toInstant();
    assertThat(fire).isBetween(before.minusSeconds(1), Instant.now().plusSeconds(1)); // now: the catch-up
    t.triggered(null);
    Instant next = t.getNextFireTime().toInstant();
    assertThat(next.getEpochSecond() % 3600).isZero(); // back on the hour
    assertThat(next).isAfter(fire).isBefore(fire.plus(Duration.ofHours(1)).plusSeconds(1));
  }

  @Test
  void exportCronIsInUtcAndFiresNowOnMisfire() {
    Trigger t = QuartzManaged.cronTrigger(JobKey.jobKey("usage-export", QuartzManaged.GROUP), "usage-export",
        "0 30 0 * * ?");
    CronTrigger ct = (CronTrigger) t;
    assertThat(ct.getTimeZone().getID()).isEqualTo("UTC");
    assertThat(ct.getMisfireInstruction()).isEqualTo(CronTrigger.MISFIRE_INSTRUCTION_FIRE_ONCE_NOW);
    Date after = Date.from(Instant.parse("2026-12-02T10:00:00Z"));
    assertThat(ct.getFireTimeAfter(after).toInstant()).isEqualTo(Instant.parse("2026-12-03T00:30:00Z"));
  }
}
