package io.gpucloud.service.tenancy;

public record DomainView(String id, String name, String parentId, String path, String createdAt) {
  static DomainView of(DomainRow d) {
    return new DomainView(d.id(), d.name(), d.parentId(), d.path(), TenancyChecks.iso(d.createdAt()));
  }
}
