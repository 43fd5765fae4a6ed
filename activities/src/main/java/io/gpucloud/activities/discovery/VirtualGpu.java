package io.gpucloud.activities.discovery;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * One vGPU (mediated device) or SR-IOV virtual function carved from a physical GPU.
 * {@code address} is the mdev uuid (from "mdev_uuid") or the VF's full PCI address (from "vf_pci_address");
 * {@code profileName} comes from "profile_name" or "vf_profile". Sizes: video RAM in MiB.
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
    @JsonProperty("used_by_vm") String usedByVm) {}
