package io.gpucloud.service.tenancy;

import io.gpucloud.service.common.Iso;

/**
 * An offering as tenants pick it; gpuCards reads like the console's column, e.g.
 * "2 x ACS Simulated Graphics Card Pro (sim-8q)" (null without GPU).
 */
public record OfferingView(
    String id,
    String name,
    String description,
    int cpuCores,
    int cpuSpeedMhz,
    long memoryMb,
    int gpuCount,
    boolean gpuDisplay,
    String numaPolicy,
    String vgpuProfileId,
    String vgpuProfileName,
    String gpuCardId,
    String gpuCardName,
    String gpuCards,
    String createdAt) {

  static OfferingView of(OfferingRow o) {
    return new OfferingView(o.id(), o.name(), o.description(), o.cpuCores(), o.cpuMhz(), o.memoryMb(),
        o.gpuCount(), o.gpuDisplay(), o.numaPolicy(), o.vgpuProfileId(), o.profileName(), o.cardId(), o.cardName(),
        gpuCards(o.gpuCount(), o.cardName(), o.profileName()), Iso.of(o.createdAt()));
  }

  /** "2 x ACS Simulated Graphics Card Pro (sim-8q)", as the reference UI shows GPU cards; null without GPUs. */
  public static String gpuCards(int gpuCount, String cardName, String profileName) {
    if (gpuCount <= 0 || cardName == null) {
      return null;
    }
    return gpuCount + " x " + cardName + (profileName == null ? "" : " (" + profileName + ")");
  }
}
