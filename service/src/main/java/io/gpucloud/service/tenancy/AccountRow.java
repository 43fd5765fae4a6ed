package io.gpucloud.service.tenancy;

import java.time.Instant;

/** An account with its domain's path. */
public record AccountRow(String id, String name, String domainId, String domainPath, Instant createdAt)
    implements ScopedRow {}
