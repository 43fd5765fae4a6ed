package io.gpucloud.service.inventory;

import io.gpucloud.service.ApiException;
import java.util.Locale;

/**
 * Body of POST /hosts/{id}/maintenance: what becomes of the host's GPU instances, "migrate" (the
 * default: cold-migrated to other hosts, stopped when none has room) or "stop".
 */
public record MaintenanceRequest(String gpuInstances) {
  public static final String MIGRATE = "migrate";
  public static final String STOP = "stop";

  /** "migrate" or "stop"; 400 naming the field otherwise. */
  public String mode() {
    if (gpuInstances == null || gpuInstances.isBlank()) {
      return MIGRATE;
    }
    String v = gpuInstances.trim().toLowerCase(Locale.ROOT);
    if (!v.equals(MIGRATE) && !v.equals(STOP)) {
      throw ApiException.badRequest("gpuInstances must be migrate or stop");
    }
    return v;
  }
}
