package io.gpucloud.service.events;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * An event of the audit trail: type (VM.STOP, HOST.MAINTENANCE.PREPARE, ...), state (Scheduled,
 * Started, Completed, Failed), who asked, the account, instance and host it concerns, the workflow, the
 * time (ISO-8601 UTC) and a description.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record EventView(
    String id,
    String type,
    String state,
    String userId,
    String accountId,
    String accountName,
    String instanceId,
    String hostId,
    String workflowId,
    String description,
    String createdAt) {}
