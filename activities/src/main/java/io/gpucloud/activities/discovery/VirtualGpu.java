package io.gpucloud.activities.discovery;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * One vGPU (mediated device) or SR-IOV virtual function carved from a physical GPU.
 * {@code address} is the mdev uuid (from "mdev_uuid") or the VF's full PCI address (from "vf_pci_address");
 * {@code profileName} comes from "profile_name" or "vf_profile", and is null for a VF the script gave no
 * profile name (CloudStack's script prints "" on real hardware: the control plane names it). Sizes: video RAM
 * in MiB.
 *
 * <p>Only the discovery hook knows these, and they may be null:
 * <ul>
 *   <li>{@code driver}, {@code iommuGroup}: a VF's own kernel driver and IOMMU group (never the parent's);
 *   <li>{@code vgpuTypes}: the mdev types a VF itself offers (NVIDIA vGPU on SR-IOV: such a VF is a vehicle
 *       for a vGPU, never a PCI device of its own);
 *   <li>{@code parentAddress}: for an mdev, the full PCI address of the VF it is created on (from
 *       "parent_pci_address", or from its libvirt_address when that names one of the GPU's VFs); null when it
 *       sits on the physical GPU itself.
 * </ul>
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record VirtualGpu(
    String address,
    @JsonProperty("profile_name") String profileName,
    @JsonProperty("max_instances") Integer maxInstances,
    @JsonProperty("video_ram") Long videoRam,
    @JsonProperty("max_heads") Integer maxHeads,
    @JsonProperty("max_resolution_x") Integer maxResolutionX,
    @JsonProperty("max_resolution_y") Integer maxResolutionY,
    @JsonProperty("libvirt_address") LibvirtAddress libvirtAddress,
    @JsonProperty("used_by_vm") String usedByVm,
    String driver,
    @JsonProperty("iommu_group") String iommuGroup,
    @JsonProperty("vgpu_types") List<String> vgpuTypes,
    @JsonProperty("parent_pci_address") String parentAddress) {

  public VirtualGpu {
    vgpuTypes = vgpuTypes == null ? List.of() : List.copyOf(vgpuTypes);
  }

  /** Without what only a discovery hook reports (driver, IOMMU group, vGPU types, parent function). */
  public VirtualGpu(String address, String profileName, Integer maxInstances, Long videoRam, Integer maxHeads,
      Integer maxResolutionX, Integer maxResolutionY, LibvirtAddress libvirtAddress, String usedByVm) {
    this(address, profileName, maxInstances, videoRam, maxHeads, maxResolutionX, maxResolutionY, libvirtAddress,
        usedByVm, null, null, List.of(), null);
  }
}
