package io.gpucloud.service.tenancy;

import io.gpucloud.service.common.Iso;

public record TemplateView(String id, String name, String osType, long rootDiskGb, String imagePath, String createdAt) {
  static TemplateView of(TemplateRow t) {
    return new TemplateView(t.id(), t.name(), t.osType(), t.rootDiskGb(), t.imagePath(), Iso.of(t.createdAt()));
  }
}
