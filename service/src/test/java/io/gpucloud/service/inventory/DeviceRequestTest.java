package io.gpucloud.service.inventory;

import static io.gpucloud.service.ApiAssertions.fails;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import io.gpucloud.service.errors.StrictJson;
import io.gpucloud.activities.model.DeviceType;
import org.junit.jupiter.api.Test;

class DeviceRequestTest {
  private static final String HOST = "a0000000-0000-4000-8000-000000000001";
  private static final String CARD = "b0000000-0000-4000-8000-000000000001";
  private static final String PROFILE = "c0000000-0000-4000-8000-000000000001";
  private static final String PARENT = "d0000000-0000-4000-8000-000000000001";
  private static final String MDEV = "E1000000-0000-4000-8000-00000000000A";

  private static DeviceRequest req(String address, String type, String profile, String parent, Integer numa) {
    return new DeviceRequest(HOST, address, type, CARD, profile, parent, numa, null, null, null);
  }

  @Test
  void pciDeviceIsNormalised() {
    DeviceRequest.Valid v = req("3B:00.0", "pci", PROFILE, null, null).validate();
    assertThat(v.busAddress()).isEqualTo("0000:3b:00.0");
    assertThat(v.type()).isEqualTo(DeviceType.PCI);
    assertThat(v.numaNode()).isEqualTo(-1);
    assertThat(v.profileId()).isEqualTo(PROFILE);
  }

  @Test
  void mdevTakesAUuid() {
    DeviceRequest.Valid v = req(MDEV, "MDEV", PROFILE, PARENT, 1).validate();
    assertThat(v.busAddress()).isEqualTo(MDEV.toLowerCase());
    assertThat(v.parentDeviceId()).isEqualTo(PARENT);
    assertThat(v.numaNode()).isEqualTo(1);
    fails(400, "busAddress of an MDEV device must be an mdev UUID", () -> req("0000:01:00.0", "MDEV", PROFILE, null, null).validate());
  }

  @Test
  void pciRejectsUuidAndGarbage() {
    fails(400, "busAddress must be a PCI address", () -> req(MDEV, "PCI", PROFILE, null, null).validate());
    fails(400, "busAddress must be a PCI address", () -> req("01:00", "PCI", PROFILE, null, null).validate());
    fails(400, "busAddress is required", () -> req(" ", "PCI", PROFILE, null, null).validate());
  }

  @Test
  void profileIsRequiredUnlessVgpuOnly() {
    fails(400, "profileId is required for a device of type PCI", () -> req("01:00.0", "PCI", null, null, null).validate());
    fails(400, "profileId is required for a device of type MDEV", () -> req(MDEV, "MDEV", " ", null, null).validate());
    DeviceRequest.Valid v = req("01:00.0", "VGPU_ONLY", null, null, 0).validate();
    assertThat(v.profileId()).isNull();
    assertThat(v.type()).isEqualTo(DeviceType.VGPU_ONLY);
  }

  @Test
  void vgpuOnlyHasNoParent() {
    fails(400, "parentDeviceId must be empty for a VGPU_ONLY device", () -> req("01:00.0", "VGPU_ONLY", null, PARENT, null).validate());
  }

  @Test
  void otherFieldsAreNamed() {
    fails(400, "type must be one of PCI, MDEV, VGPU_ONLY", () -> req("01:00.0", "GPU", PROFILE, null, null).validate());
    fails(400, "type is required", () -> req("01:00.0", null, PROFILE, null, null).validate());
    fails(400, "numaNode must be >= -1", () -> req("01:00.0", "PCI", PROFILE, null, -2).validate());
    fails(400, "hostId is required",
        () -> new DeviceRequest(null, "01:00.0", "PCI", CARD, PROFILE, null, null, null, null, null).validate());
    fails(400, "cardId is required",
        () -> new DeviceRequest(HOST, "01:00.0", "PCI", null, PROFILE, null, null, null, null, null).validate());
    fails(400, "pciRoot must be a PCI address",
        () -> new DeviceRequest(HOST, "01:00.0", "PCI", CARD, PROFILE, null, null, "root", null, null).validate());
  }

  @Test
  void unknownJsonFieldsAreRefused() {
    // as every request body: the API's strict mapper refuses them, naming the field (JsonProcessingExceptionMapper)
    assertThatThrownBy(() -> StrictJson.configure(new ObjectMapper()).readValue(
        "{\"hostId\":\"" + HOST + "\",\"busAddress\":\"01:00.0\",\"type\":\"PCI\",\"cardId\":\"" + CARD
            + "\",\"profileId\":\"" + PROFILE + "\",\"colour\":\"green\"}",
        DeviceRequest.class))
        .isInstanceOf(UnrecognizedPropertyException.class).hasMessageContaining("colour");
  }

  @Test
  void updateDistinguishesAbsentFromNull() throws Exception {
    ObjectMapper m = new ObjectMapper();
    DeviceUpdate u = DeviceUpdate.parse(m.readTree("{\"numaNode\": 1}"));
    assertThat(u).isEqualTo(new DeviceUpdate(false, null, true, 1, false, null));
    u = DeviceUpdate.parse(m.readTree("{\"parentDeviceId\": null, \"profileId\": \"" + PROFILE + "\"}"));
    assertThat(u).isEqualTo(new DeviceUpdate(true, PROFILE, false, -1, true, null));
    fails(400, "numaNode must be an integer", () -> DeviceUpdate.parse(m.readTree("{\"numaNode\": \"one\"}")));
    fails(400, "numaNode must be >= -1", () -> DeviceUpdate.parse(m.readTree("{\"numaNode\": -5}")));
    fails(400, "profileId must be a string", () -> DeviceUpdate.parse(m.readTree("{\"profileId\": 5}")));
    fails(400, "request body is required", () -> DeviceUpdate.parse(null));
    fails(400, "request body must be a JSON object", () -> DeviceUpdate.parse(m.readTree("[1]")));
  }
}
