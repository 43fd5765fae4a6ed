package io.gpucloud.service.schedules;

/** The answer of POST /schedules/{name}/run: the job was handed to Quartz at {@code firedAt}. */
public record ScheduleRun(String name, String firedAt) {}
