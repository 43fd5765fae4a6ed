package io.gpucloud.agent.sim;

import io.gpucloud.activities.model.PciAddress;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gpucloud.activities.discovery.DiscoveredGpu;
import io.gpucloud.activities.discovery.DiscoveryReport;
import io.gpucloud.activities.discovery.LibvirtAddress;
import io.gpucloud.activities.discovery.VirtualGpu;
import io.gpucloud.agent.discovery.DiscoveryJsonWriter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class SimulatedDiscoveryTest {

  static HostSpec h1() {
    return HostSpecLoader.load(HostSpecLoaderTest.H1);
  }

  static HostSpec h2() {
    return HostSpecLoader.load(HostSpecLoaderTest.H2);
  }

  @Test
  void h1Has8GpusWith16MdevsAnd4Passthrough() {
    DiscoveryReport r = SimulatedDiscovery.report(h1());
    assertThat(r.gpus()).hasSize(8);
    List<DiscoveredGpu> passthrough = r.gpus().stream().filter(g -> g.fullPassthrough().enabled()).toList();
    assertThat(passthrough).hasSize(4);
    assertThat(passthrough).allSatisfy(g -> {
      assertThat(g.device()).isEqualTo("ACS Simulated Graphics Card Basic");
      assertThat(g.driver()).isEqualTo("vfio-pci");
      assertThat(g.hostsVirtualFunctions()).isFalse();
      assertThat(g.maxInstances()).isEqualTo(1);
      assertThat(g.videoRam()).isZero();
      assertThat(g.maxHeads()).isEqualTo(1);
    });
    assertThat(passthrough.get(0).fullPassthrough().libvirtAddress())
        .isEqualTo(new LibvirtAddress("0x0000", "0x00", "0x01", "0x0"));
    List<DiscoveredGpu> parents = r.gpus().stream().filter(DiscoveredGpu::hostsVirtualFunctions).toList();
    assertThat(parents).hasSize(4).allSatisfy(g -> {
      assertThat(g.device()).isEqualTo("ACS Simulated Graphics Card Pro");
      assertThat(g.fullPassthrough().enabled()).isFalse();
      assertThat(g.driver()).isEqualTo("sim");
    });
    List<VirtualGpu> mdevs = parents.stream().flatMap(g -> g.vgpuInstances().stream()).toList();
    assertThat(mdevs).hasSize(16);
    Map<String, Long> byProfile =
        mdevs.stream().collect(Collectors.groupingBy(VirtualGpu::profileName, Collectors.counting()));
    assertThat(byProfile).containsExactlyInAnyOrderEntriesOf(Map.of("sim-8q", 4L, "sim-4q", 4L, "sim-2q", 8L));
    assertThat(mdevs).allSatisfy(m -> {
      assertThat(m.libvirtAddress()).isNull();
      assertThat(m.usedByVm()).isNull();
    });
    VirtualGpu m8 = mdevs.stream().filter(m -> m.profileName().equals("sim-8q")).findFirst().orElseThrow();
    assertThat(m8).isEqualTo(new VirtualGpu(m8.address(), "sim-8q", 2, 8192L, 4, 4096, 2160, null, null));
    assertThat(mdevs.stream().map(VirtualGpu::address).distinct()).hasSize(16);
    // 20 assignable devices: 4 passthrough + 16 mdevs
    assertThat(passthrough.size() + mdevs.size()).isEqualTo(20);
    // every GPU has its own IOMMU group
    assertThat(r.gpus().stream().map(DiscoveredGpu::iommuGroup).distinct()).hasSize(8);
    assertThat(r.gpus()).allSatisfy(g -> assertThat(g.pciRoot()).isEqualTo(g.pciAddress()));
  }

  @Test
  void mdevUuidsAreStableAcrossRunsAndHosts() {
    DiscoveryReport a = SimulatedDiscovery.report(h1());
    DiscoveryReport b = SimulatedDiscovery.report(h1());
    assertThat(a).isEqualTo(b);
    assertThat(DiscoveryJsonWriter.toJson(a)).isEqualTo(DiscoveryJsonWriter.toJson(b));
    String first = a.gpus().get(4).vgpuInstances().get(0).address();
    assertThat(first)
        .isEqualTo(SimulatedDiscovery.mdevUuid("H1", PciAddress.parse("0000:00:05.0"), 0).toString());
    assertThat(SimulatedDiscovery.mdevUuid("H9", PciAddress.parse("0000:00:05.0"), 0).toString()).isNotEqualTo(first);
  }

  @Test
  void h2HasVfsOnTheNextBusAndNumaSplit() {
    DiscoveryReport r = SimulatedDiscovery.report(h2());
    assertThat(r.gpus()).hasSize(11);
    DiscoveredGpu pf = r.gpus().stream().filter(g -> !g.vfInstances().isEmpty()).findFirst().orElseThrow();
    assertThat(pf.pciAddress()).isEqualTo("0000:45:00.0");
    assertThat(pf.sriovNumVfs()).isEqualTo(2);
    assertThat(pf.sriovTotalVfs()).isEqualTo(4);
    assertThat(pf.vfInstances()).extracting(VirtualGpu::address).containsExactly("0000:46:00.0", "0000:46:00.1");
    assertThat(pf.vfInstances().get(1).libvirtAddress()).isEqualTo(new LibvirtAddress("0x0000", "0x46", "0x00", "0x1"));
    assertThat(pf.vfInstances()).allSatisfy(v -> assertThat(v.profileName()).isEqualTo("sim-4q"));
    Map<Integer, Long> passthroughPerNode = r.gpus().stream().filter(g -> g.fullPassthrough().enabled())
        .collect(Collectors.groupingBy(DiscoveredGpu::numaNode, Collectors.counting()));
    assertThat(passthroughPerNode).containsExactlyInAnyOrderEntriesOf(Map.of(0, 4L, 1, 4L));
    assertThat(r.gpus().stream().filter(g -> !g.vgpuInstances().isEmpty()).map(DiscoveredGpu::pciAddress))
        .containsExactlyInAnyOrder("0000:47:00.0", "0001:85:00.0");
    DiscoveredGpu carved = r.gpus().stream().filter(g -> g.pciAddress().equals("0001:85:00.0")).findFirst()
        .orElseThrow();
    assertThat(carved.pciAddress()).isEqualTo("0001:85:00.0");
    assertThat(carved.numaNode()).isEqualTo(1);
    assertThat(carved.pciRoot()).isEqualTo("0001:80:05.0");
    assertThat(carved.vgpuInstances()).hasSize(4);
    assertThat(carved.fullPassthrough().libvirtAddress())
        .isEqualTo(new LibvirtAddress("0x0001", "0x85", "0x00", "0x0"));
    Set<String> groups = new HashSet<>(SimulatedDiscovery.iommuGroups(h2()).values().stream().map(String::valueOf).toList());
    assertThat(groups).hasSize(13); // 11 GPUs + 2 VFs, each its own group
  }

  @Test
  void usedByVmIsReported() {
    HostSpec base = h1();
    List<HostSpec.Gpu> gpus = new ArrayList<>(base.gpus());
    HostSpec.Gpu g0 = gpus.get(0);
    gpus.set(0, new HostSpec.Gpu(g0.address(), g0.card(), 0, null, null, null, null, null, null, "i-2-10-VM", null));
    HostSpec.Gpu g4 = gpus.get(4);
    gpus.set(4, new HostSpec.Gpu(g4.address(), g4.card(), 0, null, null, g4.vgpuProfile(), null, null, null, null,
        java.util.Arrays.asList(null, "i-4-13-QA")));
    HostSpec spec = new HostSpec(base.name(), base.cpuCores(), base.cpuMhz(), base.memoryMb(), base.numaNodes(),
        null, base.cards(), gpus);
    DiscoveryReport r = SimulatedDiscovery.report(spec);
    assertThat(r.gpus().get(0).fullPassthrough().usedByVm()).isEqualTo("i-2-10-VM");
    assertThat(r.gpus().get(4).vgpuInstances()).extracting(VirtualGpu::usedByVm).containsExactly(null, "i-4-13-QA");
  }

  @Test
  void jsonHasTheCloudStackShape() throws Exception {
    JsonNode root = new ObjectMapper().readTree(DiscoveryJsonWriter.toJson(SimulatedDiscovery.report(h1())));
    assertThat(iterable(root.fieldNames())).containsExactly("gpus");
    JsonNode gpus = root.get("gpus");
    assertThat(gpus.isArray()).isTrue();
    assertThat(gpus.size()).isEqualTo(8);

    JsonNode p = gpus.get(0);
    assertThat(iterable(p.fieldNames())).containsExactly("pci_address", "vendor_id", "device_id", "vendor", "device",
        "driver", "pci_class", "iommu_group", "pci_root", "numa_node", "sriov_totalvfs", "sriov_numvfs",
        "full_passthrough", "max_instances", "video_ram", "max_heads", "max_resolution_x", "max_resolution_y",
        "vgpu_instances", "vf_instances");
    assertThat(p.get("pci_address").asText()).isEqualTo("0000:00:01.0");
    assertThat(p.get("vendor_id").asText()).isEqualTo("1ae0");
    assertThat(p.get("device_id").asText()).isEqualTo("0001");
    assertThat(p.get("driver").asText()).isEqualTo("vfio-pci");
    assertThat(p.get("pci_class").asText()).isEqualTo("3D controller [0302]");
    assertThat(p.get("iommu_group").isTextual()).isTrue();
    assertThat(p.get("numa_node").isInt()).isTrue();
    JsonNode fp = p.get("full_passthrough");
    assertThat(fp.get("enabled").asInt()).isEqualTo(1);
    assertThat(fp.get("enabled").isInt()).isTrue();
    assertThat(fp.get("used_by_vm").isNull()).isTrue();
    JsonNode la = fp.get("libvirt_address");
    assertThat(la.get("domain").asText()).isEqualTo("0x0000");
    assertThat(la.get("bus").asText()).isEqualTo("0x00");
    assertThat(la.get("slot").asText()).isEqualTo("0x01");
    assertThat(la.get("function").asText()).isEqualTo("0x0");
    assertThat(p.get("vgpu_instances").size()).isZero();
    assertThat(p.get("vf_instances").size()).isZero();

    JsonNode parent = gpus.get(4);
    assertThat(parent.get("full_passthrough").get("enabled").asInt()).isZero();
    assertThat(parent.has("max_instances")).isFalse();
    JsonNode mdev = parent.get("vgpu_instances").get(0);
    assertThat(iterable(mdev.fieldNames())).containsExactly("mdev_uuid", "profile_name", "max_instances",
        "video_ram", "max_heads", "max_resolution_x", "max_resolution_y", "libvirt_address", "used_by_vm");
    assertThat(mdev.get("mdev_uuid").asText()).matches("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
    assertThat(mdev.get("profile_name").asText()).isEqualTo("sim-8q");
    assertThat(mdev.get("max_instances").asInt()).isEqualTo(2);
    assertThat(mdev.get("video_ram").asLong()).isEqualTo(8192);
    assertThat(mdev.get("max_heads").asInt()).isEqualTo(4);
    assertThat(mdev.get("max_resolution_x").asInt()).isEqualTo(4096);
    assertThat(mdev.get("max_resolution_y").asInt()).isEqualTo(2160);
    assertThat(mdev.get("libvirt_address").isNull()).isTrue();
    assertThat(mdev.get("used_by_vm").isNull()).isTrue();

    JsonNode h2 = new ObjectMapper().readTree(DiscoveryJsonWriter.toJson(SimulatedDiscovery.report(h2())));
    JsonNode pf = null;
    for (JsonNode g : h2.get("gpus")) if (g.get("vf_instances").size() > 0) pf = g;
    assertThat(pf).isNotNull();
    assertThat(pf.get("sriov_numvfs").asInt()).isEqualTo(2);
    JsonNode vf = pf.get("vf_instances").get(0);
    assertThat(iterable(vf.fieldNames())).containsExactly("vf_pci_address", "vf_profile", "max_instances",
        "video_ram", "max_heads", "max_resolution_x", "max_resolution_y", "libvirt_address", "used_by_vm");
    assertThat(vf.get("vf_pci_address").asText()).isEqualTo("0000:46:00.0");
    assertThat(vf.get("vf_profile").asText()).isEqualTo("sim-4q");
    assertThat(vf.get("libvirt_address").get("bus").asText()).isEqualTo("0x46");
  }

  private static <T> List<T> iterable(java.util.Iterator<T> it) {
    List<T> out = new ArrayList<>();
    it.forEachRemaining(out::add);
    return out;
  }
}
