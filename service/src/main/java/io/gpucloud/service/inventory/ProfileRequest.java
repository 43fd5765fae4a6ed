package io.gpucloud.service.inventory;

import io.gpucloud.service.common.Checks;

/**
 * Body of POST and PUT /api/v1/vgpu-profiles. Numbers left out take the column defaults on POST
 * (videoRamMb 0, maxHeads 1, maxResolutionX/Y 0, maxVgpusPerGpu 1) and keep their value on PUT.
 */
public record ProfileRequest(
    String cardId,
    String name,
    String description,
    Long videoRamMb,
    Integer maxHeads,
    Integer maxResolutionX,
    Integer maxResolutionY,
    Integer maxVgpusPerGpu) {

  /** Validated profile values (cardId is checked for existence by the service). */
  public record Valid(
      String cardId,
      String name,
      String description,
      long videoRamMb,
      int maxHeads,
      int maxResolutionX,
      int maxResolutionY,
      int maxVgpusPerGpu) {}

  public Valid validateCreate() {
    String card = Checks.required("cardId", cardId, 64);
    return validate(card, Checks.name("name", name), null, 0, 1, 0, 0, 1);
  }

  /** Validates an update of {@code current}: fields left out keep their current values. */
  public Valid validateUpdate(Valid current) {
    if (cardId != null && !cardId.trim().equalsIgnoreCase(current.cardId())) {
      throw io.gpucloud.service.ApiException.badRequest("cardId is immutable");
    }
    String n = name == null ? current.name() : Checks.name("name", name);
    return validate(
        current.cardId(),
        n,
        current.description(),
        current.videoRamMb(),
        current.maxHeads(),
        current.maxResolutionX(),
        current.maxResolutionY(),
        current.maxVgpusPerGpu());
  }

  private Valid validate(
      String card, String n, String dDescription, long dRam, int dHeads, int dX, int dY, int dVgpus) {
    String desc = description == null ? dDescription : Checks.optionalText("description", description, Checks.MAX_DESCRIPTION);
    return new Valid(
        card,
        n,
        desc,
        Checks.atLeast("videoRamMb", videoRamMb, 0L, dRam),
        Checks.atLeast("maxHeads", maxHeads, 0, dHeads),
        Checks.atLeast("maxResolutionX", maxResolutionX, 0, dX),
        Checks.atLeast("maxResolutionY", maxResolutionY, 0, dY),
        Checks.atLeast("maxVgpusPerGpu", maxVgpusPerGpu, 1, dVgpus));
  }
}
