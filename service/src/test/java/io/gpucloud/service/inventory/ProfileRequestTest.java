package io.gpucloud.service.inventory;

import static io.gpucloud.service.ApiAssertions.fails;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ProfileRequestTest {
  private static final String CARD = "b2c3d4e5-0000-4000-8000-000000000001";

  @Test
  void defaultsFollowTheSchema() {
    ProfileRequest.Valid v = new ProfileRequest(CARD, " sim-8q ", null, null, null, null, null, null).validateCreate();
    assertThat(v).isEqualTo(new ProfileRequest.Valid(CARD, "sim-8q", null, 0, 1, 0, 0, 1));
  }

  @Test
  void allValuesAreTaken() {
    ProfileRequest.Valid v =
        new ProfileRequest(CARD, "sim-8q", "8 GB", 8192L, 4, 4096, 2160, 2).validateCreate();
    assertThat(v).isEqualTo(new ProfileRequest.Valid(CARD, "sim-8q", "8 GB", 8192, 4, 4096, 2160, 2));
  }

  @Test
  void boundsNameTheField() {
    fails(400, "cardId is required", () -> new ProfileRequest(null, "x", null, null, null, null, null, null).validateCreate());
    fails(400, "name is required", () -> new ProfileRequest(CARD, " ", null, null, null, null, null, null).validateCreate());
    fails(400, "videoRamMb must be >= 0", () -> new ProfileRequest(CARD, "x", null, -1L, null, null, null, null).validateCreate());
    fails(400, "maxHeads must be >= 0", () -> new ProfileRequest(CARD, "x", null, null, -1, null, null, null).validateCreate());
    fails(400, "maxResolutionX must be >= 0", () -> new ProfileRequest(CARD, "x", null, null, null, -1, null, null).validateCreate());
    fails(400, "maxResolutionY must be >= 0", () -> new ProfileRequest(CARD, "x", null, null, null, null, -1, null).validateCreate());
    fails(400, "maxVgpusPerGpu must be >= 1", () -> new ProfileRequest(CARD, "x", null, null, null, null, null, 0).validateCreate());
  }

  @Test
  void updateKeepsWhatIsLeftOutAndRefusesAnotherCard() {
    ProfileRequest.Valid current = new ProfileRequest.Valid(CARD, "sim-8q", "d", 8192, 4, 4096, 2160, 2);
    ProfileRequest.Valid v = new ProfileRequest(null, null, null, null, null, null, null, 4).validateUpdate(current);
    assertThat(v).isEqualTo(new ProfileRequest.Valid(CARD, "sim-8q", "d", 8192, 4, 4096, 2160, 4));
    assertThat(new ProfileRequest(CARD.toUpperCase(), "sim-8Q", null, null, null, null, null, null).validateUpdate(current).name())
        .isEqualTo("sim-8Q");
    fails(400, "cardId is immutable",
        () -> new ProfileRequest("c0000000-0000-4000-8000-000000000000", null, null, null, null, null, null, null)
            .validateUpdate(current));
    fails(400, "maxVgpusPerGpu must be >= 1",
        () -> new ProfileRequest(null, null, null, null, null, null, null, 0).validateUpdate(current));
  }
}
