package io.gpucloud.service.queue;

/**
 * One waiting request as GET /queue shows it: its {@code position} in its pool's admission order (1 =
 * next), the pool (the card), what it asks for, how long it has waited, and why it waits.
 */
public record QueueEntryView(
    String instanceId,
    String instanceName,
    String accountId,
    String accountName,
    String batchId,
    boolean gang,
    String cardName,
    String profileId,
    String profileName,
    int gpuCount,
    int priority,
    int position,
    double waitedSeconds,
    String maxWait,
    String requestedAt,
    String reason) {}
