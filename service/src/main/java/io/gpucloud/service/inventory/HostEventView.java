package io.gpucloud.service.inventory;

import io.gpucloud.activities.model.HostEvent;
import io.gpucloud.service.common.Iso;

public record HostEventView(
    long id, String hostId, String level, String type, String message, String workflowId, String createdAt) {

  static HostEventView of(HostEvent e) {
    return new HostEventView(
        e.id(), e.hostId(), e.level(), e.type(), e.message(), e.workflowId(), Iso.of(e.createdAt()));
  }
}
