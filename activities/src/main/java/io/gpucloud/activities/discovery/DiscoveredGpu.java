package io.gpucloud.activities.discovery;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * One physical GPU as gpudiscovery.sh reports it (the CloudStack 4.21 JSON shape), after validation:
 * {@code pciAddress} is normalised to the full form "dddd:bb:ss.f" in lower case; vendor/device ids are
 * 4 lower-case hex digits. vgpuInstances are mdevs, vfInstances SR-IOV VFs (addresses normalised too).
 *
 * <p>Unknown is null for text (driver, iommuGroup, pciRoot, ...) and -1 for {@code numaNode}, whatever sentinel
 * the script printed ("null", "unknown", -1, ""); pciRoot is a normalised PCI address or null. The libvirt
 * address of full_passthrough is always the one of {@code pciAddress}. full_passthrough.enabled is false for a
 * GPU that hosts vGPUs or VFs (or has SR-IOV VFs enabled), whatever the script said.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record DiscoveredGpu(
    @JsonProperty("pci_address") String pciAddress,
    @JsonProperty("vendor_id") String vendorId,
    @JsonProperty("device_id") String deviceId,
    String vendor,
    String device,
    String driver,
    @JsonProperty("pci_class") String pciClass,
    @JsonProperty("iommu_group") String iommuGroup,
    @JsonProperty("pci_root") String pciRoot,
    @JsonProperty("numa_node") int numaNode,
    @JsonProperty("sriov_totalvfs") int sriovTotalVfs,
    @JsonProperty("sriov_numvfs") int sriovNumVfs,
    @JsonProperty("full_passthrough") FullPassthrough fullPassthrough,
    @JsonProperty("max_instances") Integer maxInstances,
    @JsonProperty("video_ram") Long videoRam,
    @JsonProperty("max_heads") Integer maxHeads,
    @JsonProperty("max_resolution_x") Integer maxResolutionX,
    @JsonProperty("max_resolution_y") Integer maxResolutionY,
    @JsonProperty("vgpu_instances") List<VirtualGpu> vgpuInstances,
    @JsonProperty("vf_instances") List<VirtualGpu> vfInstances) {

  public DiscoveredGpu {
    vgpuInstances = vgpuInstances == null ? List.of() : List.copyOf(vgpuInstances);
    vfInstances = vfInstances == null ? List.of() : List.copyOf(vfInstances);
  }

  /** A GPU that hosts vGPUs or VFs is a parent only: it is never assigned itself. */
  public boolean hostsVirtualFunctions() {
    return !vgpuInstances.isEmpty() || !vfInstances.isEmpty();
  }
}
