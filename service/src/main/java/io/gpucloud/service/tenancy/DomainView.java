package io.gpucloud.service.tenancy;

import io.gpucloud.service.common.Iso;

public record DomainView(String id, String name, String parentId, String path, String createdAt)
    implements ScopedView {
  static DomainView of(DomainRow d) {
    return new DomainView(d.id(), d.name(), d.parentId(), d.path(), Iso.of(d.createdAt()));
  }
}
