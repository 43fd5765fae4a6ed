package io.gpucloud.service.tenancy;

import io.gpucloud.service.ApiException;
import io.gpucloud.service.common.Checks;

/** Body of POST /api/v1/templates. */
public record TemplateRequest(String name, String osType, Long rootDiskGb, String imagePath) {

  public record Valid(String name, String osType, long rootDiskGb, String imagePath) {}

  public Valid validateCreate() {
    String n = Checks.name("name", name);
    String os = Checks.required("osType", osType, Checks.MAX_NAME);
    long disk = TenancyChecks.requiredAtLeast("rootDiskGb", rootDiskGb, 1L);
    String path = Checks.required("imagePath", imagePath, TenancyChecks.MAX_PATH);
    if (!path.startsWith("/")) {
      throw ApiException.badRequest("imagePath must be an absolute path");
    }
    for (String segment : path.split("/")) {
      if (segment.equals("..") || segment.equals(".")) {
        throw ApiException.badRequest("imagePath must not contain . or .. segments");
      }
    }
    if (path.endsWith("/")) {
      throw ApiException.badRequest("imagePath must name a file, not a directory");
    }
    if (path.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
      throw ApiException.badRequest("imagePath must not contain control characters");
    }
    return new Valid(n, os, disk, path);
  }
}
