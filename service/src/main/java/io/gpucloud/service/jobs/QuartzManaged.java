package io.gpucloud.service.jobs;

import io.dropwizard.lifecycle.Managed;
import io.gpucloud.service.config.QuartzConfig;
import java.util.Properties;
import javax.sql.DataSource;
import org.quartz.JobBuilder;
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

  /** Idempotent across replicas and restarts: the trigger is replaced only when its interval changed. */
  private void schedule() throws SchedulerException {
    scheduleEvery(HostLivenessJob.class, HostLivenessJob.NAME, config.getHostLivenessSeconds());
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
