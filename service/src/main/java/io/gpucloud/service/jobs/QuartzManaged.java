package io.gpucloud.service.jobs;

import io.dropwizard.lifecycle.Managed;
import io.gpucloud.service.config.QuartzConfig;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Properties;
import java.util.TimeZone;
import javax.sql.DataSource;
import org.quartz.CalendarIntervalScheduleBuilder;
import org.quartz.CalendarIntervalTrigger;
import org.quartz.CronScheduleBuilder;
import org.quartz.CronTrigger;
import org.quartz.DateBuilder;
import org.quartz.JobBuilder;
import org.quartz.JobKey;
import org.quartz.JobDetail;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.quartz.SimpleScheduleBuilder;
import org.quartz.Trigger;
import org.quartz.TriggerBuilder;
import org.quartz.TriggerKey;
import org.quartz.impl.StdSchedulerFactory;
import org.quartz.impl.jdbcjobstore.JobStoreTX;
import org.quartz.impl.jdbcjobstore.StdJDBCDelegate;
import org.quartz.utils.DBConnectionManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Clustered Quartz on the service's MariaDB (tables QRTZ_*, created by migration V2): every replica
 * runs a scheduler with the same name, and each trigger fires on exactly one of them.
 */
public class QuartzManaged implements Managed {
  private static final Logger LOG = LoggerFactory.getLogger(QuartzManaged.class);
  public static final String DATA_SOURCE = "gpucloudDS";
  public static final String GROUP = "gpucloud";
  static final TimeZone UTC = TimeZone.getTimeZone("UTC");

  private final QuartzConfig config;
  private final DataSource dataSource;
  private final JobDependencies deps;
  private Scheduler scheduler;

  public QuartzManaged(QuartzConfig config, DataSource dataSource, JobDependencies deps) {
    this.config = config;
    this.dataSource = dataSource;
    this.deps = deps;
  }

  static Properties properties(QuartzConfig config) {
    Properties p = new Properties();
    p.setProperty("org.quartz.scheduler.instanceName", config.getSchedulerName());
    p.setProperty("org.quartz.scheduler.instanceId", config.getInstanceId());
    p.setProperty("org.quartz.scheduler.skipUpdateCheck", "true");
    p.setProperty("org.quartz.threadPool.class", "org.quartz.simpl.SimpleThreadPool");
    p.setProperty("org.quartz.threadPool.threadCount", String.valueOf(config.getThreadCount()));
    p.setProperty("org.quartz.jobStore.class", JobStoreTX.class.getName());
    p.setProperty("org.quartz.jobStore.driverDelegateClass", StdJDBCDelegate.class.getName());
    p.setProperty("org.quartz.jobStore.tablePrefix", "QRTZ_");
    p.setProperty("org.quartz.jobStore.dataSource", DATA_SOURCE);
    p.setProperty("org.quartz.jobStore.isClustered", "true");
    p.setProperty("org.quartz.jobStore.clusterCheckinInterval", String.valueOf(config.getClusterCheckinIntervalMs()));
    p.setProperty("org.quartz.jobStore.acquireTriggersWithinLock", "true");
    p.setProperty("org.quartz.jobStore.useProperties", "true");
    p.setProperty("org.quartz.jobStore.misfireThreshold", "60000");
    return p;
  }

  @Override
  public void start() throws SchedulerException {
    // the jobStore's data source is this provider, registered by name (no org.quartz.dataSource.* keys)
    DBConnectionManager.getInstance().addConnectionProvider(DATA_SOURCE, new DataSourceConnectionProvider(dataSource));
    scheduler = new StdSchedulerFactory(properties(config)).getScheduler();
    scheduler.setJobFactory(new DependencyJobFactory(deps));
    schedule();
    scheduler.start();
    LOG.info("Quartz scheduler '{}' started (instance {})", config.getSchedulerName(), scheduler.getSchedulerInstanceId());
  }

  /** Idempotent across replicas and restarts: a trigger is replaced only when its schedule changed. */
  private void schedule() throws SchedulerException {
    scheduleEvery(HostLivenessJob.class, HostLivenessJob.NAME, config.getHostLivenessSeconds());
    scheduleEvery(StrandedDeployJob.class, StrandedDeployJob.NAME, StrandedDeployJob.EVERY_SECONDS);
    if (deps.usage() != null) {
      scheduleAligned(UsageJob.class, UsageJob.NAME, deps.usage().getPeriod());
      scheduleCron(UsageExportJob.class, UsageExportJob.NAME, deps.usage().getExportCron());
    }
    if (deps.discovery() != null) {
      scheduleAligned(DiscoveryScheduleJob.class, DiscoveryScheduleJob.NAME, deps.discovery().getInterval());
    }
  }

  /** Names of the scheduled jobs, in the order GET /schedules lists them. */
  public static final List<String> JOBS =
      List.of(HostLivenessJob.NAME, UsageJob.NAME, UsageExportJob.NAME, DiscoveryScheduleJob.NAME,
          StrandedDeployJob.NAME);

  /** The first boundary of {@code interval} (counted from the epoch, so UTC midnight when it divides a day) after {@code now}. */
  static Instant nextBoundary(Instant now, Duration interval) {
    long s = interval.toSeconds();
    return Instant.ofEpochSecond((Math.floorDiv(now.getEpochSecond(), s) + 1) * s);
  }

  /**
   * A trigger at every {@code interval} boundary, with "fire now" on misfire so that a service back
   * from downtime catches up at once. A calendar-interval trigger in seconds (UTC) rather than a
   * SimpleTrigger: a SimpleTrigger's "fire now" on misfire moves its start time to the moment of the
   * misfire, so every later fire would be off the boundaries; FIRE_AND_PROCEED fires once and then
   * keeps the boundaries (startAt + k * interval).
   */
  public static Trigger alignedTrigger(JobKey job, String name, Duration interval, Instant now) {
    return TriggerBuilder.newTrigger()
        .withIdentity(TriggerKey.triggerKey(name, GROUP))
        .forJob(job)
        .startAt(Date.from(nextBoundary(now, interval)))
        .withSchedule(CalendarIntervalScheduleBuilder.calendarIntervalSchedule()
            .withIntervalInSeconds(Math.toIntExact(interval.toSeconds()))
            .inTimeZone(UTC)
            .withMisfireHandlingInstructionFireAndProceed())
        .build();
  }

  /** The cron trigger (UTC) with "fire now" on misfire: a missed nightly export runs at start-up. */
  public static Trigger cronTrigger(JobKey job, String name, String cron) {
    return TriggerBuilder.newTrigger()
        .withIdentity(TriggerKey.triggerKey(name, GROUP))
        .forJob(job)
        .withSchedule(CronScheduleBuilder.cronSchedule(cron)
            .inTimeZone(UTC)
            .withMisfireHandlingInstructionFireAndProceed())
        .build();
  }

  private void scheduleAligned(Class<? extends org.quartz.Job> type, String name, Duration interval)
      throws SchedulerException {
    JobDetail job = JobBuilder.newJob(type).withIdentity(name, GROUP).storeDurably().build();
    Trigger existing = scheduler.getTrigger(TriggerKey.triggerKey(name, GROUP));
    boolean same = existing instanceof CalendarIntervalTrigger ct
        && ct.getRepeatIntervalUnit() == DateBuilder.IntervalUnit.SECOND
        && ct.getRepeatInterval() == interval.toSeconds()
        && UTC.equals(ct.getTimeZone());
    replaceUnlessSame(job, type, alignedTrigger(job.getKey(), name, interval, Instant.now()), same,
        "every " + interval);
  }

  private void scheduleCron(Class<? extends org.quartz.Job> type, String name, String cron) throws SchedulerException {
    JobDetail job = JobBuilder.newJob(type).withIdentity(name, GROUP).storeDurably().build();
    Trigger existing = scheduler.getTrigger(TriggerKey.triggerKey(name, GROUP));
    boolean same = existing instanceof CronTrigger ct
        && ct.getCronExpression().equals(cron)
        && UTC.equals(ct.getTimeZone());
    replaceUnlessSame(job, type, cronTrigger(job.getKey(), name, cron), same, "cron " + cron + " UTC");
  }

  private void replaceUnlessSame(JobDetail job, Class<? extends org.quartz.Job> type, Trigger trigger, boolean same,
      String schedule) throws SchedulerException {
    if (same && scheduler.checkExists(job.getKey())
        && scheduler.getJobDetail(job.getKey()).getJobClass().equals(type)) {
      return; // already scheduled, by us earlier or by another replica: keep its fire times (and misfires)
    }
    try {
      // replace=true: concurrent replicas may both get here; the last write wins, same content
      scheduler.scheduleJob(job, java.util.Set.of(trigger), true);
      LOG.info("scheduled job {} {} (first fire {})", job.getKey().getName(), schedule, trigger.getStartTime());
    } catch (org.quartz.ObjectAlreadyExistsException raced) {
      LOG.debug("job {} scheduled by another replica", job.getKey().getName());
    }
  }

  private void scheduleEvery(Class<? extends org.quartz.Job> type, String name, int seconds) throws SchedulerException {
    JobDetail job = JobBuilder.newJob(type).withIdentity(name, GROUP).storeDurably().build();
    TriggerKey key = TriggerKey.triggerKey(name, GROUP);
    Trigger trigger = TriggerBuilder.newTrigger()
        .withIdentity(key)
        .forJob(job)
        .startNow()
        .withSchedule(SimpleScheduleBuilder.simpleSchedule()
            .withIntervalInSeconds(seconds)
            .repeatForever()
            .withMisfireHandlingInstructionNextWithRemainingCount())
        .build();
    Trigger existing = scheduler.getTrigger(key);
    if (existing instanceof org.quartz.SimpleTrigger st
        && st.getRepeatInterval() == seconds * 1000L
        && scheduler.checkExists(job.getKey())
        && scheduler.getJobDetail(job.getKey()).getJobClass().equals(type)) {
      return; // already scheduled, by us earlier or by another replica
    }
    try {
      // replace=true: concurrent replicas may both get here; the last write wins, same content
      scheduler.scheduleJob(job, java.util.Set.of(trigger), true);
      LOG.info("scheduled job {} every {} s", name, seconds);
    } catch (org.quartz.ObjectAlreadyExistsException raced) {
      LOG.debug("job {} scheduled by another replica", name);
    }
  }

  public Scheduler scheduler() {
    return scheduler;
  }

  @Override
  public void stop() throws SchedulerException {
    if (scheduler != null) {
      scheduler.shutdown(true);
    }
  }
}
