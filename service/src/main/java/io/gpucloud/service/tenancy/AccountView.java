package io.gpucloud.service.tenancy;

import io.gpucloud.service.common.Iso;

public record AccountView(String id, String name, String domainId, String domainPath, String createdAt)
    implements ScopedView {
  static AccountView of(AccountRow a) {
    return new AccountView(a.id(), a.name(), a.domainId(), a.domainPath(), Iso.of(a.createdAt()));
  }
}
