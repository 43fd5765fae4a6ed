package io.gpucloud.service.schedules;

import static io.gpucloud.service.ApiAssertions.fails;
import static org.assertj.core.api.Assertions.assertThat;

import io.gpucloud.service.TestDatabase;
import io.gpucloud.service.jobs.QuartzManaged;
import io.gpucloud.service.jobs.ScheduleCursors;
import jakarta.annotation.security.RolesAllowed;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.quartz.Job;
import org.quartz.JobBuilder;
import org.quartz.JobDetail;
import org.quartz.JobKey;
import org.quartz.Scheduler;
import org.quartz.SimpleScheduleBuilder;
import org.quartz.Trigger;
import org.quartz.TriggerBuilder;
import org.quartz.impl.StdSchedulerFactory;

/** GET /schedules and "run now" on an in-memory (not started) Quartz, cursors in the test database. */
class ScheduleServiceDatabaseTest {
  Scheduler scheduler;
  Jdbi jdbi;

  public static class NoopJob implements Job {
    @Override
    public void execute(org.quartz.JobExecutionContext context) {}
  }

  @BeforeEach
  void setUp() throws Exception {
    jdbi = TestDatabase.jdbi();
    Properties p = new Properties();
    p.setProperty("org.quartz.scheduler.instanceName", "schedules-test-" + UUID.randomUUID());
    p.setProperty("org.quartz.threadPool.threadCount", "1");
    p.setProperty("org.quartz.jobStore.class", "org.quartz.simpl.RAMJobStore");
    p.setProperty("org.quartz.scheduler.skipUpdateCheck", "true");
    scheduler = new StdSchedulerFactory(p).getScheduler();
    Instant now = Instant.parse("2026-12-02T10:17:00Z");
    schedule("usage", QuartzManaged.alignedTrigger(JobKey.jobKey("usage", QuartzManaged.GROUP), "usage",
        java.time.Duration.ofHours(1), now));
    schedule("usage-export", QuartzManaged.cronTrigger(JobKey.jobKey("usage-export", QuartzManaged.GROUP),
        "usage-export", "0 30 0 * * ?"));
    schedule("host-liveness", TriggerBuilder.newTrigger().withIdentity("host-liveness", QuartzManaged.GROUP)
        .forJob("host-liveness", QuartzManaged.GROUP)
        .withSchedule(SimpleScheduleBuilder.simpleSchedule().withIntervalInSeconds(15).repeatForever()).build());
    jdbi.useHandle(h -> h.execute("DELETE FROM schedule_cursors WHERE name IN ('usage', 'usage-export', 'discovery')"));
  }

  void schedule(String name, Trigger trigger) throws Exception {
    JobDetail job = JobBuilder.newJob(NoopJob.class).withIdentity(name, QuartzManaged.GROUP).storeDurably().build();
    scheduler.scheduleJob(job, java.util.Set.of(trigger), true);
  }

  @AfterEach
  void tearDown() throws Exception {
    scheduler.shutdown();
  }

  @Test
  void listsEveryJobWithItsScheduleCursorAndLastWorkflow() {
    new ScheduleCursors(jdbi).record("usage", Instant.parse("2026-12-02T10:00:00Z"), "usage-2026-12-02T09:00:00Z",
        Instant.parse("2026-12-02T10:00:01Z"));
    ScheduleService service = new ScheduleService(() -> scheduler, new ScheduleCursors(jdbi),
        id -> id.startsWith("usage-") ? "COMPLETED" : null);
    List<ScheduleView> views = service.list();
    assertThat(views).extracting(ScheduleView::name)
        .containsExactly("host-liveness", "usage", "usage-export", "discovery", "stranded-deploys");
    ScheduleView liveness = views.get(0);
    assertThat(liveness.schedule()).isEqualTo("every PT15S");
    assertThat(liveness.nextPeriod()).isNull();
    assertThat(liveness.lastWorkflowId()).isNull();
    assertThat(liveness.lastWorkflowStatus()).isNull();
    ScheduleView usage = views.get(1);
    assertThat(usage.schedule()).isEqualTo("every PT1H");
    assertThat(usage.nextFireTime()).isEqualTo("2026-12-02T11:00:00Z");
    assertThat(usage.previousFireTime()).isNull();
    assertThat(usage.nextPeriod()).isEqualTo("2026-12-02T10:00:00Z");
    assertThat(usage.lastWorkflowId()).isEqualTo("usage-2026-12-02T09:00:00Z");
    assertThat(usage.lastWorkflowStatus()).isEqualTo("COMPLETED");
    ScheduleView export = views.get(2);
    assertThat(export.schedule()).isEqualTo("cron 0 30 0 * * ? UTC");
    assertThat(export.nextFireTime()).endsWith("T00:30:00Z");
    ScheduleView discovery = views.get(3);
    assertThat(discovery.schedule()).isNull(); // not scheduled in this test
    assertThat(discovery.nextFireTime()).isNull();
  }

  @Test
  void runFiresAKnownJobAndAnswers404ForAnUnknownOne() {
    ScheduleService service = new ScheduleService(() -> scheduler, new ScheduleCursors(jdbi), id -> null);
    ScheduleRun run = service.run("usage");
    assertThat(run.name()).isEqualTo("usage");
    assertThat(Instant.parse(run.firedAt())).isBeforeOrEqualTo(Instant.now());
    fails(404, "nope", () -> service.run("nope"));
    fails(404, "discovery", () -> service.run("discovery")); // known job, not scheduled here
    ScheduleService disabled = new ScheduleService(() -> null, new ScheduleCursors(jdbi), id -> null);
    fails(409, "disabled", () -> disabled.run("usage"));
    assertThat(disabled.list()).allSatisfy(v -> assertThat(v.nextFireTime()).isNull());
  }

  @Test
  void theResourceIsAdminOnly() {
    RolesAllowed roles = ScheduleResource.class.getAnnotation(RolesAllowed.class);
    assertThat(roles.value()).containsExactly(io.gpucloud.service.auth.Role.ADMIN);
  }
}
