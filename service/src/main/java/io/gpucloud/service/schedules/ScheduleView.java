package io.gpucloud.service.schedules;

/**
 * One scheduled job: its schedule as configured in Quartz ("every PT1H", "cron 0 30 0 * * ? UTC"),
 * its previous and next fire (ISO-8601 UTC or null), the next period its cursor must still start
 * (null for jobs without one), and the last workflow it started with that workflow's status
 * (RUNNING, COMPLETED, FAILED, ...; UNKNOWN while Temporal cannot be asked; null when none).
 */
public record ScheduleView(String name, String schedule, String previousFireTime, String nextFireTime,
    String nextPeriod, String lastWorkflowId, String lastWorkflowStatus) {}
