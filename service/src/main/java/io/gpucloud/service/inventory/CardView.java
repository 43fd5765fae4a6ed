package io.gpucloud.service.inventory;

import io.gpucloud.activities.model.GpuCard;
import io.gpucloud.service.common.Iso;

public record CardView(
    String id, String vendorId, String deviceId, String vendorName, String deviceName, String name,
    String createdAt) {

  static CardView of(GpuCard c) {
    return new CardView(
        c.id(), c.vendorId(), c.deviceId(), c.vendorName(), c.deviceName(), c.name(), Iso.of(c.createdAt()));
  }
}
