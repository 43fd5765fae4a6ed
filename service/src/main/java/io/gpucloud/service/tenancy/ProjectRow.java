package io.gpucloud.service.tenancy;

import java.time.Instant;

/** A project with its owner account's name and its domain's path. */
public record ProjectRow(
    String id, String name, String accountId, String accountName, String domainId, String domainPath,
    Instant createdAt) implements ScopedRow {}
