package io.gpucloud.service.instances;

import java.time.Instant;

/** The instance columns the API shows, joined with names. */
public record InstanceViewRow(
    String id,
    String name,
    String vmName,
    String state,
    String errorReason,
    String accountId,
    String accountName,
    String domainPath,
    String projectId,
    String offeringId,
    String offeringName,
    String templateId,
    int cpuCores,
    int cpuMhz,
    long memoryMb,
    int gpuCount,
    String cardName,
    String profileName,
    String workflowId,
    Instant createdAt,
    String hostId,
    String hostName) {}
