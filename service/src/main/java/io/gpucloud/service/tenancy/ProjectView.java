package io.gpucloud.service.tenancy;

import io.gpucloud.service.common.Iso;

public record ProjectView(
    String id, String name, String accountId, String accountName, String domainId, String domainPath,
    String createdAt) implements ScopedView {
  static ProjectView of(ProjectRow p) {
    return new ProjectView(p.id(), p.name(), p.accountId(), p.accountName(), p.domainId(), p.domainPath(),
        Iso.of(p.createdAt()));
  }
}
