package io.gpucloud.service.inventory;

import io.gpucloud.activities.model.VgpuProfile;
import io.gpucloud.service.common.Iso;

public record ProfileView(
    String id,
    String cardId,
    String cardName,
    String name,
    String description,
    long videoRamMb,
    int maxHeads,
    int maxResolutionX,
    int maxResolutionY,
    int maxVgpusPerGpu,
    String createdAt) {

  static ProfileView of(VgpuProfile p, String cardName) {
    return new ProfileView(
        p.id(),
        p.cardId(),
        cardName,
        p.name(),
        p.description(),
        p.videoRamMb(),
        p.maxHeads(),
        p.maxResolutionX(),
        p.maxResolutionY(),
        p.maxVgpusPerGpu(),
        Iso.of(p.createdAt()));
  }
}
