package io.gpucloud.agent.sim;

import io.gpucloud.activities.model.PciAddress;
import static org.assertj.core.api.Assertions.assertThat;

import io.gpucloud.activities.discovery.DiscoveredGpu;
import io.gpucloud.activities.discovery.DiscoveryReport;
import io.gpucloud.activities.discovery.VirtualGpu;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.libvirt.Connect;
import org.libvirt.StoragePool;
import org.libvirt.StorageVol;
import org.libvirt.NodeInfo;

/** Opens the generated XML with libvirt's own test driver (libvirt-java over JNA; no daemon needed). */
class TestDriverXmlTest {

  @TempDir Path dir;

  @Test
  void libvirtParsesH1() throws Exception {
    HostSpec spec = HostSpecLoader.load(HostSpecLoaderTest.H1);
    checkWithLibvirt(spec, dir.resolve("H1.xml"));
  }

  @Test
  void libvirtParsesH2() throws Exception {
    HostSpec spec = HostSpecLoader.load(HostSpecLoaderTest.H2);
    checkWithLibvirt(spec, dir.resolve("H2.xml"));
  }

  @Test
  void uriIsTestDriverOnTheAbsolutePath() {
    HostSpec spec = HostSpecLoader.load(HostSpecLoaderTest.H1);
    String uri = TestDriverXml.write(spec, dir.resolve("sub/H1.xml"));
    assertThat(uri).isEqualTo("test://" + dir.toAbsolutePath().normalize().resolve("sub/H1.xml"));
    assertThat(uri).startsWith("test:///");
    assertThat(TestDriverXml.generate(spec)).isEqualTo(TestDriverXml.generate(spec));
  }

  @Test
  void theStoragePoolIsDeclaredAndTakesOverlayVolumes() throws Exception {
    HostSpec h1 = HostSpecLoader.load(HostSpecLoaderTest.H1);
    HostSpec h2 = HostSpecLoader.load(HostSpecLoaderTest.H2);
    Connect c1 = new Connect(TestDriverXml.write(h1, dir.resolve("H1/libvirt-node.xml")), false);
    Connect c2 = new Connect(TestDriverXml.write(h2, dir.resolve("H2/libvirt-node.xml")), false);
    try {
      StoragePool p1 = c1.storagePoolLookupByName("shared-nfs");
      StoragePool p2 = c2.storagePoolLookupByName("shared-nfs");
      assertThat(p1.isActive()).isEqualTo(1);
      // a shared pool: the same name, directory and uuid on both hosts
      assertThat(p1.getUUIDString()).isEqualTo(p2.getUUIDString());
      assertThat(p1.getXMLDesc(0)).isEqualTo(p2.getXMLDesc(0))
          .contains("<path>" + dir.toAbsolutePath().normalize().resolve("shared-pools/shared-nfs") + "</path>");
      StorageVol v = p1.storageVolCreateXML("<volume><name>v.qcow2</name><capacity unit='GiB'>20</capacity>"
          + "<allocation>0</allocation><target><format type='qcow2'/></target><backingStore>"
          + "<path>/img/t.qcow2</path><format type='qcow2'/></backingStore></volume>", 0);
      assertThat(v.getPath()).isEqualTo(dir.toAbsolutePath().normalize() + "/shared-pools/shared-nfs/v.qcow2");
      assertThat(v.getXMLDesc(0)).contains("<path>/img/t.qcow2</path>");
    } finally {
      c1.close();
      c2.close();
    }
  }

  private void checkWithLibvirt(HostSpec spec, Path file) throws Exception {
    String uri = TestDriverXml.write(spec, file);
    DiscoveryReport report = SimulatedDiscovery.report(spec);
    Connect conn = new Connect(uri, false);
    try {
      NodeInfo ni = conn.nodeInfo();
      assertThat(ni.cpus).isEqualTo(spec.cpuCores());
      assertThat(ni.mhz).isEqualTo(spec.cpuMhz());
      assertThat(ni.memory).isEqualTo(spec.memoryMb() * 1024);
      assertThat(ni.nodes).isEqualTo(spec.numaNodes());

      List<String> pci = Arrays.asList(conn.listDevices("pci"));
      assertThat(conn.numOfDevices("pci")).isEqualTo(pci.size());
      for (DiscoveredGpu g : report.gpus()) {
        String name = PciAddress.parse(g.pciAddress()).nodeDeviceName();
        assertThat(pci).contains(name);
        String xml = conn.deviceLookupByName(name).getXMLDescription();
        assertThat(xml).contains("<class>0x030200</class>")
            .contains("<vendor id='0x" + g.vendorId() + "'>" + g.vendor() + "</vendor>")
            .contains("<product id='0x" + g.deviceId() + "'>" + g.device() + "</product>")
            .contains("<iommuGroup number='" + g.iommuGroup() + "'>")
            .contains("<numa node='" + g.numaNode() + "'/>");
        if (!g.vgpuInstances().isEmpty()) {
          assertThat(xml).contains("<capability type='mdev_types'>").contains("<name>" + g.vgpuInstances().get(0).profileName() + "</name>");
        }
        for (VirtualGpu vf : g.vfInstances()) {
          String vfName = PciAddress.parse(vf.address()).nodeDeviceName();
          assertThat(pci).contains(vfName);
          assertThat(conn.deviceLookupByName(vfName).getXMLDescription()).contains("<capability type='phys_function'>");
          assertThat(xml).contains("<capability type='virt_functions' maxCount='" + g.sriovTotalVfs() + "'>");
        }
      }
      long vfs = report.gpus().stream().mapToLong(g -> g.vfInstances().size()).sum();
      long roots = report.gpus().stream().filter(g -> !g.pciRoot().equals(g.pciAddress()))
          .map(DiscoveredGpu::pciRoot).distinct().count();
      assertThat(pci).hasSize((int) (report.gpus().size() + vfs + roots));

      List<String> mdevs = Arrays.asList(conn.listDevices("mdev"));
      List<String> expected = report.gpus().stream().flatMap(g -> g.vgpuInstances().stream())
          .map(m -> TestDriverXml.mdevDeviceName(m.address())).toList();
      assertThat(mdevs).containsExactlyInAnyOrderElementsOf(expected);
      assertThat(conn.numOfDevices("mdev")).isEqualTo(expected.size());
      for (DiscoveredGpu g : report.gpus()) {
        for (VirtualGpu m : g.vgpuInstances()) {
          String mx = conn.deviceLookupByName(TestDriverXml.mdevDeviceName(m.address())).getXMLDescription();
          assertThat(mx).contains("<uuid>" + m.address() + "</uuid>")
              .contains("<parent>" + PciAddress.parse(g.pciAddress()).nodeDeviceName() + "</parent>")
              .contains("<type id='" + m.profileName() + "'/>");
        }
      }
      long carved = report.gpus().stream().filter(g -> !g.vgpuInstances().isEmpty()).count();
      assertThat(conn.numOfDevices("mdev_types")).isEqualTo((int) carved);
    } finally {
      conn.close();
    }
  }
}
