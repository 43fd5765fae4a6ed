package io.gpucloud.service.inventory;

import io.gpucloud.activities.model.DeviceType;
import io.gpucloud.activities.model.PciAddress;
import io.gpucloud.service.ApiException;
import io.gpucloud.service.common.Checks;
import java.util.Locale;

/**
 * Body of POST /api/v1/gpu-devices (manual add). busAddress is a PCI address ("dddd:bb:ss.f" or
 * "bb:ss.f") for PCI and VGPU_ONLY devices and an mdev UUID for MDEV devices.
 */
public record DeviceRequest(
    String hostId,
    String busAddress,
    String type,
    String cardId,
    String profileId,
    String parentDeviceId,
    Integer numaNode,
    String pciRoot,
    String iommuGroup,
    String driver) {

  /** The checks that need no database; existence and ownership are checked by the service. */
  public record Valid(
      String hostId,
      String busAddress,
      DeviceType type,
      String cardId,
      String profileId,
      String parentDeviceId,
      int numaNode,
      String pciRoot,
      String iommuGroup,
      String driver) {}

  public Valid validate() {
    String host = Checks.required("hostId", hostId, 64);
    DeviceType t = Checks.enumValue("type", type, DeviceType.class);
    String address = busAddress(t, busAddress);
    String card = Checks.required("cardId", cardId, 64);
    String profile = Checks.optionalText("profileId", profileId, 64);
    if (profile == null && t != DeviceType.VGPU_ONLY) {
      throw ApiException.badRequest("profileId is required for a device of type " + t);
    }
    String parent = Checks.optionalText("parentDeviceId", parentDeviceId, 64);
    if (parent != null && t == DeviceType.VGPU_ONLY) {
      throw ApiException.badRequest("parentDeviceId must be empty for a VGPU_ONLY device");
    }
    int numa = numaNode(numaNode);
    String root = pciRoot == null || pciRoot.isBlank() ? null : pciRoot(pciRoot);
    String group = Checks.optionalText("iommuGroup", iommuGroup, 16);
    String drv = Checks.optionalText("driver", driver, 64);
    return new Valid(host, address, t, card, profile, parent, numa, root, group, drv);
  }

  /** Normalises the bus address of a device of type {@code t}; 400 naming busAddress when wrong. */
  public static String busAddress(DeviceType t, String value) {
    String v = Checks.required("busAddress", value, 64);
    if (t == DeviceType.MDEV) {
      if (!Checks.isUuid(v)) {
        throw ApiException.badRequest("busAddress of an MDEV device must be an mdev UUID");
      }
      return v.toLowerCase(Locale.ROOT);
    }
    return PciAddress.tryParse(v).map(PciAddress::toString)
        .orElseThrow(
            () -> ApiException.badRequest("busAddress must be a PCI address dddd:bb:ss.f or bb:ss.f, was " + v));
  }

  /** -1 (unknown) when absent; otherwise >= -1. */
  public static int numaNode(Integer value) {
    return Checks.atLeast("numaNode", value, -1, -1);
  }

  private static String pciRoot(String value) {
    return PciAddress.tryParse(value).map(PciAddress::toString)
        .orElseThrow(() -> ApiException.badRequest("pciRoot must be a PCI address dddd:bb:ss.f or bb:ss.f"));
  }
}
