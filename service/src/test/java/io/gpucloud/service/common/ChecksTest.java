package io.gpucloud.service.common;

import static io.gpucloud.service.ApiAssertions.fails;
import static org.assertj.core.api.Assertions.assertThat;

import io.gpucloud.activities.model.DeviceState;
import org.junit.jupiter.api.Test;

class ChecksTest {
  @Test
  void hexIdsAreLowerCased() {
    assertThat(Checks.hex4("vendorId", "10DE")).isEqualTo("10de");
    assertThat(Checks.hex4("deviceId", " 26b9 ")).isEqualTo("26b9");
  }

  @Test
  void hexIdsMustBeFourHexDigits() {
    fails(400, "vendorId must be 4 hex digits", () -> Checks.hex4("vendorId", "10d"));
    fails(400, "vendorId must be 4 hex digits", () -> Checks.hex4("vendorId", "10dez"));
    fails(400, "deviceId must be 4 hex digits", () -> Checks.hex4("deviceId", "0x10"));
    fails(400, "deviceId must be 4 hex digits", () -> Checks.hex4("deviceId", "gggg"));
    fails(400, "vendorId is required", () -> Checks.hex4("vendorId", null));
    assertThat(Checks.optionalHex4("vendorId", "")).isNull();
  }

  @Test
  void requiredTextIsTrimmedAndBounded() {
    assertThat(Checks.required("name", "  L40S ", 255)).isEqualTo("L40S");
    fails(400, "name is required", () -> Checks.required("name", "  ", 255));
    fails(400, "name must be at most 3 characters", () -> Checks.required("name", "abcd", 3));
    fails(400, "name must not be blank", () -> Checks.optional("name", " ", 255));
    assertThat(Checks.optional("name", null, 255)).isNull();
  }

  @Test
  void enumsAreCaseInsensitiveAndListChoices() {
    assertThat(Checks.enumValue("state", "allocated", DeviceState.class)).isEqualTo(DeviceState.Allocated);
    fails(400, "state must be one of Free, Reserved, Allocated, PartiallyAllocated, Error",
        () -> Checks.enumValue("state", "Busy", DeviceState.class));
    assertThat(Checks.optionalEnum("state", " ", DeviceState.class)).isNull();
  }

  @Test
  void numbersHaveMinimumsAndDefaults() {
    assertThat(Checks.atLeast("maxHeads", (Integer) null, 0, 1)).isEqualTo(1);
    fails(400, "maxVgpusPerGpu must be >= 1", () -> Checks.atLeast("maxVgpusPerGpu", 0, 1, 1));
  }

  @Test
  void likeKeywordsAreEscaped() {
    assertThat(Checks.likeEscape("50%_a\\b")).isEqualTo("50\\%\\_a\\\\b");
  }

  @Test
  void uuids() {
    assertThat(Checks.isUuid("b2c3d4e5-0000-4000-8000-000000000001")).isTrue();
    assertThat(Checks.isUuid("b2c3d4e5-0000-4000-8000-00000000000")).isFalse();
    assertThat(Checks.isUuid("not-a-uuid")).isFalse();
  }
}
