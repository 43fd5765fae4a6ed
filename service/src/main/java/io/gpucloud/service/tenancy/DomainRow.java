package io.gpucloud.service.tenancy;

import java.time.Instant;

/** A row of domains. path is '/ROOT/child/'; parentId is null for ROOT. */
public record DomainRow(String id, String name, String parentId, String path, Instant createdAt)
    implements ScopedRow {
  /** A domain's own path. */
  @Override
  public String domainPath() {
    return path;
  }

  public boolean isRoot() {
    return parentId == null;
  }
}
