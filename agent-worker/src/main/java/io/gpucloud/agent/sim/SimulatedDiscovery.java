package io.gpucloud.agent.sim;

import io.gpucloud.activities.model.PciAddress;
import io.gpucloud.activities.discovery.DiscoveredGpu;
import io.gpucloud.activities.discovery.DiscoveryReport;
import io.gpucloud.activities.discovery.FullPassthrough;
import io.gpucloud.activities.discovery.VirtualGpu;
import io.gpucloud.agent.discovery.DiscoveryJsonWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * What gpudiscovery.sh would report on a simulated host: the spec expanded into GPUs, mdevs and VFs, all of it
 * deterministic (the same spec always gives the same report, so rediscovery finds the same devices).
 *
 * <ul>
 *   <li>passthrough GPU: driver vfio-pci, full_passthrough enabled, max_instances 1, video_ram 0, max_heads 1;
 *   <li>vGPU-carved GPU: driver "sim", passthrough disabled, one mdev per instance with uuid
 *       {@link #mdevUuid}(host, GPU address, index);
 *   <li>SR-IOV GPU: driver "sim", passthrough disabled, VFs at {@link #vfAddress}(PF, index).
 * </ul>
 *
 * IOMMU groups not given in the spec are numbered from 1 in spec order (skipping given ones), GPUs first, then
 * VFs. The PCI root defaults to the GPU's own address (a GPU on a root bus), as CloudStack's script reports it.
 */
public final class SimulatedDiscovery {

  public static final String PCI_CLASS = "3D controller [0302]";
  public static final String PASSTHROUGH_DRIVER = "vfio-pci";
  public static final String SIM_DRIVER = "sim";

  private SimulatedDiscovery() {}

  /** The discovery report of {@code spec} (validated first). */
  public static DiscoveryReport report(HostSpec spec) {
    HostSpecLoader.validate(spec);
    Map<String, Integer> groups = iommuGroups(spec);
    List<DiscoveredGpu> out = new ArrayList<>();
    for (HostSpec.Gpu g : spec.gpus()) {
      HostSpec.Card card = spec.card(g.card()).orElseThrow();
      PciAddress address = g.pciAddress();
      String pciRoot = g.pciRoot() == null ? address.toString() : PciAddress.parse(g.pciRoot()).toString();
      String group = String.valueOf(groups.get(address.toString()));
      switch (g.mode()) {
        case PASSTHROUGH -> out.add(new DiscoveredGpu(address.toString(), card.vendorId(), card.deviceId(),
            card.vendor(), card.device(), PASSTHROUGH_DRIVER, PCI_CLASS, group, pciRoot, g.numaNode(), 0, 0,
            new FullPassthrough(true, address.libvirtAddress(), g.usedByVm()), 1, 0L, 1, 0, 0, List.of(), List.of()));
        case VGPU -> {
          HostSpec.Profile p = card.profile(g.vgpuProfile()).orElseThrow();
          List<VirtualGpu> mdevs = new ArrayList<>();
          for (int i = 0; i < instanceCount(card, g); i++) {
            mdevs.add(new VirtualGpu(mdevUuid(spec.name(), address, i).toString(), p.name(), p.maxPerGpu(),
                p.videoRamMb(), p.maxHeads(), p.maxResolutionX(), p.maxResolutionY(), null, g.instanceUsedByVm(i)));
          }
          out.add(new DiscoveredGpu(address.toString(), card.vendorId(), card.deviceId(), card.vendor(),
              card.device(), SIM_DRIVER, PCI_CLASS, group, pciRoot, g.numaNode(), 0, 0,
              new FullPassthrough(false, address.libvirtAddress(), null), null, null, null, null, null, mdevs,
              List.of()));
        }
        case SRIOV -> {
          HostSpec.Profile p = card.profile(g.vfProfile()).orElseThrow();
          int count = instanceCount(card, g);
          List<VirtualGpu> vfs = new ArrayList<>();
          for (int i = 0; i < count; i++) {
            PciAddress vf = vfAddress(address, i);
            vfs.add(new VirtualGpu(vf.toString(), p.name(), p.maxPerGpu(), p.videoRamMb(), p.maxHeads(),
                p.maxResolutionX(), p.maxResolutionY(), vf.libvirtAddress(), g.instanceUsedByVm(i)));
          }
          out.add(new DiscoveredGpu(address.toString(), card.vendorId(), card.deviceId(), card.vendor(),
              card.device(), SIM_DRIVER, PCI_CLASS, group, pciRoot, g.numaNode(), p.maxPerGpu(), count,
              new FullPassthrough(false, address.libvirtAddress(), null), null, null, null, null, null, List.of(),
              vfs));
        }
      }
    }
    return new DiscoveryReport(out);
  }

  /** The stable uuid of mdev number {@code index} (0-based) on the GPU at {@code gpu} of host {@code hostName}. */
  public static UUID mdevUuid(String hostName, PciAddress gpu, int index) {
    return UUID.nameUUIDFromBytes((hostName + "/" + gpu + "/" + index).getBytes(StandardCharsets.UTF_8));
  }

  /**
   * The address of SR-IOV VF number {@code index} (0-based) of the physical function {@code pf}: the bus after
   * the PF's, the PF's slot (+1 per 8 VFs), function index % 8. Throws IllegalArgumentException when it does not
   * fit (PF on bus ff, slot past 1f).
   */
  public static PciAddress vfAddress(PciAddress pf, int index) {
    return new PciAddress(pf.domain(), pf.bus() + 1, pf.slot() + index / 8, index % 8);
  }

  /** How many mdevs / VFs the GPU has (0 for a passthrough GPU). */
  public static int instanceCount(HostSpec.Card card, HostSpec.Gpu g) {
    return switch (g.mode()) {
      case PASSTHROUGH -> 0;
      case VGPU -> g.vgpuCount() != null ? g.vgpuCount() : card.profile(g.vgpuProfile()).orElseThrow().maxPerGpu();
      case SRIOV -> g.vfCount() != null ? g.vfCount() : card.profile(g.vfProfile()).orElseThrow().maxPerGpu();
    };
  }

  /** IOMMU group of every GPU and VF, keyed by full PCI address, in spec order (GPUs, then VFs). */
  public static Map<String, Integer> iommuGroups(HostSpec spec) {
    Set<Integer> taken = new HashSet<>();
    for (HostSpec.Gpu g : spec.gpus()) {
      if (g.iommuGroup() != null) taken.add(g.iommuGroup());
    }
    Map<String, Integer> groups = new LinkedHashMap<>();
    int next = 1;
    for (HostSpec.Gpu g : spec.gpus()) {
      if (g.iommuGroup() != null) {
        groups.put(g.pciAddress().toString(), g.iommuGroup());
      } else {
        while (taken.contains(next)) next++;
        taken.add(next);
        groups.put(g.pciAddress().toString(), next);
      }
    }
    for (HostSpec.Gpu g : spec.gpus()) {
      if (g.mode() != HostSpec.Mode.SRIOV) continue;
      int count = instanceCount(spec.card(g.card()).orElseThrow(), g);
      for (int i = 0; i < count; i++) {
        while (taken.contains(next)) next++;
        taken.add(next);
        groups.put(vfAddress(g.pciAddress(), i).toString(), next);
      }
    }
    return Collections.unmodifiableMap(groups);
  }

  /** Prints the discovery JSON of the spec file given as the only argument (what gpudiscovery.sh prints). */
  public static void main(String[] args) {
    if (args.length != 1) {
      System.err.println("usage: SimulatedDiscovery <host spec .yml>");
      System.exit(2);
    }
    try {
      System.out.println(DiscoveryJsonWriter.toJson(report(HostSpecLoader.load(Path.of(args[0])))));
    } catch (RuntimeException e) {
      System.err.println(e.getMessage());
      System.exit(1);
    }
  }
}
