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
    String vn = Checks.name("vendorName", vendorName);
    String dn = Checks.name("deviceName", deviceName);
    String n = Checks.optionalName("name", name);
    return new Valid(v, d, vn, dn, n == null ? dn : n);
  }
}
