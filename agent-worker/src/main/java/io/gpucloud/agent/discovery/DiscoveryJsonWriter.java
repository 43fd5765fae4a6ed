package io.gpucloud.agent.discovery;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gpucloud.activities.discovery.DiscoveredGpu;
import io.gpucloud.activities.discovery.DiscoveryReport;
import io.gpucloud.activities.discovery.FullPassthrough;
import io.gpucloud.activities.discovery.LibvirtAddress;
import io.gpucloud.activities.discovery.VirtualGpu;

/**
 * Writes a {@link DiscoveryReport} as the JSON CloudStack 4.21's gpudiscovery.sh prints: {@code {"gpus":[...]}}
 * with snake_case keys in the script's order. full_passthrough.enabled is written as 1/0; used_by_vm and an
 * mdev's libvirt_address are written as null when absent; the per-GPU max_instances .. max_resolution_y are left
 * out when null (a GPU that only hosts vGPUs/VFs). A vGPU's address is written as mdev_uuid, a VF's as
 * vf_pci_address (with vf_profile for its profile, "" when it has none). What only our own hook reports is written
 * when known: a VF's driver, iommu_group and vgpu_types, an mdev's parent_pci_address.
 */
public final class DiscoveryJsonWriter {

  private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private DiscoveryJsonWriter() {}

  public static String toJson(DiscoveryReport report) {
    try {
      return MAPPER.writeValueAsString(toTree(report));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write discovery JSON", e);
    }
  }

  /** The report as a Jackson tree (same shape as {@link #toJson}). */
  public static ObjectNode toTree(DiscoveryReport report) {
    ObjectNode root = MAPPER.createObjectNode();
    ArrayNode gpus = root.putArray("gpus");
    for (DiscoveredGpu g : report.gpus()) {
      ObjectNode o = gpus.addObject();
      o.put("pci_address", g.pciAddress());
      o.put("vendor_id", g.vendorId());
      o.put("device_id", g.deviceId());
      o.put("vendor", g.vendor());
      o.put("device", g.device());
      o.put("driver", g.driver());
      o.put("pci_class", g.pciClass());
      o.put("iommu_group", g.iommuGroup());
      o.put("pci_root", g.pciRoot());
      o.put("numa_node", g.numaNode());
      o.put("sriov_totalvfs", g.sriovTotalVfs());
      o.put("sriov_numvfs", g.sriovNumVfs());
      FullPassthrough fp = g.fullPassthrough();
      if (fp != null) {
        ObjectNode f = o.putObject("full_passthrough");
        f.put("enabled", fp.enabled() ? 1 : 0);
        putAddress(f, fp.libvirtAddress());
        f.put("used_by_vm", fp.usedByVm());
      }
      if (g.maxInstances() != null) o.put("max_instances", g.maxInstances());
      if (g.videoRam() != null) o.put("video_ram", g.videoRam());
      if (g.maxHeads() != null) o.put("max_heads", g.maxHeads());
      if (g.maxResolutionX() != null) o.put("max_resolution_x", g.maxResolutionX());
      if (g.maxResolutionY() != null) o.put("max_resolution_y", g.maxResolutionY());
      ArrayNode vgpus = o.putArray("vgpu_instances");
      for (VirtualGpu v : g.vgpuInstances()) {
        ObjectNode x = vgpus.addObject();
        x.put("mdev_uuid", v.address());
        x.put("profile_name", v.profileName());
        putSizes(x, v);
        if (v.parentAddress() != null) x.put("parent_pci_address", v.parentAddress());
      }
      ArrayNode vfs = o.putArray("vf_instances");
      for (VirtualGpu v : g.vfInstances()) {
        ObjectNode x = vfs.addObject();
        x.put("vf_pci_address", v.address());
        x.put("vf_profile", v.profileName() == null ? "" : v.profileName());
        putSizes(x, v);
        if (v.driver() != null) x.put("driver", v.driver());
        if (v.iommuGroup() != null) x.put("iommu_group", v.iommuGroup());
        if (!v.vgpuTypes().isEmpty()) {
          ArrayNode types = x.putArray("vgpu_types");
          v.vgpuTypes().forEach(types::add);
        }
      }
    }
    return root;
  }

  private static void putSizes(ObjectNode x, VirtualGpu v) {
    x.put("max_instances", v.maxInstances());
    x.put("video_ram", v.videoRam());
    x.put("max_heads", v.maxHeads());
    x.put("max_resolution_x", v.maxResolutionX());
    x.put("max_resolution_y", v.maxResolutionY());
    putAddress(x, v.libvirtAddress());
    x.put("used_by_vm", v.usedByVm());
  }

  private static void putAddress(ObjectNode parent, LibvirtAddress a) {
    if (a == null) {
      parent.putNull("libvirt_address");
      return;
    }
    ObjectNode l = parent.putObject("libvirt_address");
    l.put("domain", a.domain());
    l.put("bus", a.bus());
    l.put("slot", a.slot());
    l.put("function", a.function());
  }
}
