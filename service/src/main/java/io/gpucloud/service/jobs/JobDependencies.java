package io.gpucloud.service.jobs;

import io.gpucloud.service.config.DiscoveryScheduleConfig;
import io.gpucloud.service.config.QuartzConfig;
import io.gpucloud.service.config.UsageConfig;
import io.temporal.client.WorkflowClient;
import io.temporal.serviceclient.WorkflowServiceStubs;
import org.jdbi.v3.core.Jdbi;

/** What jobs may use; a job class with a constructor taking this record gets it from the JobFactory. */
public record JobDependencies(
    Jdbi jdbi, WorkflowServiceStubs stubs, WorkflowClient client, String namespace, QuartzConfig config,
    UsageConfig usage, DiscoveryScheduleConfig discovery) {}
