package io.gpucloud.service.usage;

import java.math.BigDecimal;

/**
 * One usage record as the API shows it: the snapshot taken when the period was generated, the type
 * by name (RUNNING_VM, ALLOCATED_VM), the period as ISO-8601 UTC, rawUsage in hours (6 decimals) and
 * usageSeconds (3 decimals). hostId and hostName only for an Admin (null otherwise), as instances do.
 */
public record UsageRecordView(
    String instanceId,
    String instanceName,
    String accountId,
    String accountName,
    String domainId,
    String domainPath,
    String projectId,
    String offeringId,
    String offeringName,
    String templateId,
    String templateName,
    String hostId,
    String hostName,
    String usageType,
    String periodStart,
    String periodEnd,
    BigDecimal rawUsage,
    BigDecimal usageSeconds,
    String gpuCardId,
    String gpuCardName,
    String vgpuProfileId,
    String vgpuProfileName,
    int gpuCount) {}
