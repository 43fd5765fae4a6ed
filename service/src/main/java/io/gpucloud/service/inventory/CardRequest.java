package io.gpucloud.service.inventory;

import io.gpucloud.service.common.Checks;

/**
 * Body of POST and PUT /api/v1/gpu-cards. On PUT vendorId and deviceId may be left out; when given
 * they must equal the stored ones (they are immutable).
 */
public record CardRequest(
    String vendorId, String deviceId, String vendorName, String deviceName, String name) {

  /** Validated values of a new card: ids lower case, name defaulting to deviceName. */
  public record Valid(String vendorId, String deviceId, String vendorName, String deviceName, String name) {}

  public Valid validateCreate() {
    String v = Checks.hex4("vendorId", vendorId);
    String d = Checks.hex4("deviceId", deviceId);
    String vn = Checks.required("vendorName", vendorName, Checks.MAX_NAME);
    String dn = Checks.required("deviceName", deviceName, Checks.MAX_NAME);
    String n = Checks.optional("name", name, Checks.MAX_NAME);
    return new Valid(v, d, vn, dn, n == null ? dn : n);
  }
}
