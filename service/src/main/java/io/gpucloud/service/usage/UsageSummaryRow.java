package io.gpucloud.service.usage;

import java.math.BigDecimal;

/**
 * One group of GET /api/v1/usage/summary: groupBy (account, card or profile), the group's id and
 * name (id null and name "(no GPU)" for the records of CPU-only instances when grouping by card or
 * profile), the distinct instances, and hours with 6 decimals: runningHours (RUNNING_VM),
 * allocatedHours (ALLOCATED_VM), and each multiplied by the records' GPU count. The name is the
 * account's, card's or profile's current one while it exists, else the records' snapshot.
 */
public record UsageSummaryRow(
    String groupBy,
    String id,
    String name,
    long instances,
    BigDecimal runningHours,
    BigDecimal allocatedHours,
    BigDecimal gpuHours,
    BigDecimal allocatedGpuHours) {}
