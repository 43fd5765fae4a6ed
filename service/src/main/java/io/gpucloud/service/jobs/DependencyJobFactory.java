package io.gpucloud.service.jobs;

import java.lang.reflect.Constructor;
import org.quartz.Job;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.quartz.spi.JobFactory;
import org.quartz.spi.TriggerFiredBundle;

/** Builds jobs with {@code new Job(JobDependencies)} when there is such a constructor, else {@code new Job()}. */
public class DependencyJobFactory implements JobFactory {
  private final JobDependencies deps;

  public DependencyJobFactory(JobDependencies deps) {
    this.deps = deps;
  }

  @Override
  public Job newJob(TriggerFiredBundle bundle, Scheduler scheduler) throws SchedulerException {
    Class<? extends Job> type = bundle.getJobDetail().getJobClass();
    try {
      try {
        Constructor<? extends Job> c = type.getDeclaredConstructor(JobDependencies.class);
        return c.newInstance(deps);
      } catch (NoSuchMethodException e) {
        return type.getDeclaredConstructor().newInstance();
      }
    } catch (ReflectiveOperationException e) {
      throw new SchedulerException("cannot instantiate job " + type.getName(), e);
    }
  }
}
