package io.gpucloud.service.inventory;

import static io.gpucloud.service.ApiAssertions.fails;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CardRequestTest {
  @Test
  void nameDefaultsToDeviceNameAndIdsAreLowerCase() {
    CardRequest.Valid v = new CardRequest("10DE", "26B9", "NVIDIA Corporation", "L40S", null).validateCreate();
    assertThat(v).isEqualTo(new CardRequest.Valid("10de", "26b9", "NVIDIA Corporation", "L40S", "L40S"));
  }

  @Test
  void explicitNameIsKept() {
    assertThat(new CardRequest("10de", "26b9", "NVIDIA", "L40S", "NVIDIA L40S").validateCreate().name())
        .isEqualTo("NVIDIA L40S");
  }

  @Test
  void fieldsAreNamedInErrors() {
    fails(400, "vendorId must be 4 hex digits", () -> new CardRequest("10d", "26b9", "N", "L", null).validateCreate());
    fails(400, "deviceId is required", () -> new CardRequest("10de", null, "N", "L", null).validateCreate());
    fails(400, "vendorName is required", () -> new CardRequest("10de", "26b9", " ", "L", null).validateCreate());
    fails(400, "deviceName is required", () -> new CardRequest("10de", "26b9", "N", null, null).validateCreate());
    fails(400, "name must not be blank", () -> new CardRequest("10de", "26b9", "N", "L", "").validateCreate());
  }
}
