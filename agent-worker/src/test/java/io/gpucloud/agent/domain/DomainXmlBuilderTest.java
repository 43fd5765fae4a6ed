package io.gpucloud.agent.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gpucloud.activities.instance.AssignedDevice;
import io.gpucloud.activities.instance.InstanceSpec;
import io.gpucloud.activities.instance.TemplateImage;
import io.gpucloud.activities.model.DeviceType;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import org.xml.sax.InputSource;

class DomainXmlBuilderTest {
  static final String ID = "6f1e2a44-1b2c-4d3e-8f90-0123456789ab";
  static final String MDEV1 = "11111111-2222-3333-4444-555555555555";
  static final String MDEV2 = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee";
  static final TemplateImage TEMPLATE = new TemplateImage("ubuntu", "Ubuntu 22.04", "/var/lib/images/u.qcow2", 20);

  static AssignedDevice pci(String address, int node) {
    return new AssignedDevice("d-" + address, address, DeviceType.PCI, "passthrough", null, node);
  }

  static AssignedDevice vf(String address, String parent, int node) {
    return new AssignedDevice("vf-" + address, address, DeviceType.PCI, "sim-4q", parent, node);
  }

  static AssignedDevice mdev(String uuid, String parent, int node) {
    return new AssignedDevice("m-" + uuid, uuid, DeviceType.MDEV, "sim-8q", parent, node);
  }

  static InstanceSpec spec(String name, boolean display, AssignedDevice... devices) {
    return new InstanceSpec(ID, name, "H1", 2, 2000, 2048, display, TEMPLATE, List.of(devices));
  }

  /** The root disk the tests' domains boot from: the instance's volume in the host's pool. */
  static final String DISK = "/var/lib/libvirt/images/root-" + ID + ".qcow2";

  static String build(InstanceSpec s) {
    return build(s, HostTopology.empty());
  }

  static String build(InstanceSpec s, HostTopology topology) {
    return DomainXmlBuilder.build(s, topology, DISK);
  }

  static Document parse(String xml) throws Exception {
    return DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(new InputSource(new StringReader(xml)));
  }

  static List<Element> all(Document d, String tag) {
    NodeList nl = d.getElementsByTagName(tag);
    List<Element> out = new ArrayList<>();
    for (int i = 0; i < nl.getLength(); i++) {
      out.add((Element) nl.item(i));
    }
    return out;
  }

  static Element one(Document d, String tag) {
    List<Element> l = all(d, tag);
    assertThat(l).as("<" + tag + ">").hasSize(1);
    return l.get(0);
  }

  static List<Element> hostdevs(Document d, String type) {
    return all(d, "hostdev").stream().filter(h -> h.getAttribute("type").equals(type)).toList();
  }

  static Element address(Element hostdev) {
    return (Element) ((Element) hostdev.getElementsByTagName("source").item(0)).getElementsByTagName("address").item(0);
  }

  @Test
  void nameUuidMemoryVcpuOsDiskConsole() throws Exception {
    Document d = parse(build(spec("i-2-3-VM", false)));
    Element root = d.getDocumentElement();
    assertThat(root.getTagName()).isEqualTo("domain");
    assertThat(root.getAttribute("type")).isEqualTo("kvm");
    assertThat(one(d, "name").getTextContent()).isEqualTo("i-2-3-VM");
    assertThat(one(d, "uuid").getTextContent()).isEqualTo(ID);
    assertThat(one(d, "memory").getTextContent()).isEqualTo("2048");
    assertThat(one(d, "memory").getAttribute("unit")).isEqualTo("MiB");
    assertThat(one(d, "vcpu").getTextContent()).isEqualTo("2");
    assertThat(one(d, "vcpu").getAttribute("placement")).isEqualTo("static");
    assertThat(one(d, "vcpu").hasAttribute("cpuset")).isFalse();
    Element type = (Element) one(d, "os").getElementsByTagName("type").item(0);
    assertThat(type.getTextContent()).isEqualTo("hvm");
    assertThat(type.getAttribute("arch")).isEqualTo("x86_64");
    assertThat(type.getAttribute("machine")).isEqualTo("q35");
    assertThat(one(d, "boot").getAttribute("dev")).isEqualTo("hd");
    assertThat(one(d, "acpi")).isNotNull();
    assertThat(one(d, "apic")).isNotNull();
    Element disk = one(d, "disk");
    assertThat(disk.getAttribute("type")).isEqualTo("file");
    assertThat(disk.getAttribute("device")).isEqualTo("disk");
    // the instance's own overlay, never the template image (a second instance would fight for its write lock)
    assertThat(((Element) disk.getElementsByTagName("source").item(0)).getAttribute("file")).isEqualTo(DISK);
    assertThat(((Element) disk.getElementsByTagName("driver").item(0)).getAttribute("type")).isEqualTo("qcow2");
    assertThat(((Element) disk.getElementsByTagName("target").item(0)).getAttribute("bus")).isEqualTo("virtio");
    assertThat(one(d, "serial").getAttribute("type")).isEqualTo("pty");
    assertThat(one(d, "console")).isNotNull();
    assertThat(all(d, "hostdev")).isEmpty();
    assertThat(all(d, "numatune")).isEmpty();
  }

  @Test
  void passthroughGpu() throws Exception {
    Document d = parse(build(spec("vm", false, pci("0000:01:00.0", 0))));
    List<Element> hd = hostdevs(d, "pci");
    assertThat(hd).hasSize(1);
    Element h = hd.get(0);
    assertThat(h.getAttribute("mode")).isEqualTo("subsystem");
    assertThat(h.getAttribute("managed")).isEqualTo("yes");
    assertThat(((Element) h.getElementsByTagName("driver").item(0)).getAttribute("name")).isEqualTo("vfio");
    Element a = address(h);
    assertThat(a.getAttribute("domain")).isEqualTo("0x0000");
    assertThat(a.getAttribute("bus")).isEqualTo("0x01");
    assertThat(a.getAttribute("slot")).isEqualTo("0x00");
    assertThat(a.getAttribute("function")).isEqualTo("0x0");
  }

  @Test
  void nonZeroPciDomain() throws Exception {
    Document d = parse(build(spec("vm", false, pci("0001:81:1f.3", 1))));
    Element a = address(hostdevs(d, "pci").get(0));
    assertThat(a.getAttribute("domain")).isEqualTo("0x0001");
    assertThat(a.getAttribute("bus")).isEqualTo("0x81");
    assertThat(a.getAttribute("slot")).isEqualTo("0x1f");
    assertThat(a.getAttribute("function")).isEqualTo("0x3");
  }

  @Test
  void sriovVirtualFunctionIsAPciHostdev() throws Exception {
    Document d = parse(build(spec("vm", false, vf("0000:46:00.1", "0000:45:00.0", 0))));
    List<Element> hd = hostdevs(d, "pci");
    assertThat(hd).hasSize(1);
    assertThat(hd.get(0).getAttribute("managed")).isEqualTo("yes");
    Element a = address(hd.get(0));
    assertThat(a.getAttribute("bus")).isEqualTo("0x46");
    assertThat(a.getAttribute("function")).isEqualTo("0x1");
    assertThat(hostdevs(d, "mdev")).isEmpty();
  }

  @Test
  void mdevWithoutDisplay() throws Exception {
    Document d = parse(build(spec("vm", false,
        mdev(MDEV1, "0000:00:05.0", 0), mdev(MDEV2.toUpperCase(), "0000:00:05.0", 0))));
    List<Element> hd = hostdevs(d, "mdev");
    assertThat(hd).hasSize(2);
    for (Element h : hd) {
      assertThat(h.getAttribute("mode")).isEqualTo("subsystem");
      assertThat(h.getAttribute("model")).isEqualTo("vfio-pci");
      assertThat(h.hasAttribute("display")).isFalse();
      assertThat(h.hasAttribute("ramfb")).isFalse();
    }
    assertThat(address(hd.get(0)).getAttribute("uuid")).isEqualTo(MDEV1);
    assertThat(address(hd.get(1)).getAttribute("uuid")).isEqualTo(MDEV2); // normalized to lower case
    Element model = (Element) one(d, "video").getElementsByTagName("model").item(0);
    assertThat(model.getAttribute("type")).isEqualTo("vga");
  }

  @Test
  void mdevWithDisplay() throws Exception {
    Document d = parse(build(spec("vm", true, mdev(MDEV1, "0000:00:05.0", 0))));
    Element h = hostdevs(d, "mdev").get(0);
    assertThat(h.getAttribute("display")).isEqualTo("on");
    assertThat(h.getAttribute("ramfb")).isEqualTo("on");
    assertThat(one(d, "graphics").getAttribute("type")).isEqualTo("vnc");
    Element model = (Element) one(d, "video").getElementsByTagName("model").item(0);
    assertThat(model.getAttribute("type")).isEqualTo("none");
  }

  @Test
  void displayWithTwoMdevsPutsRamfbOnTheFirstOnly() throws Exception {
    Document d = parse(build(spec("vm", true,
        mdev(MDEV1, "0000:00:05.0", 0), mdev(MDEV2, "0000:00:05.0", 0))));
    List<Element> hd = hostdevs(d, "mdev");
    assertThat(hd).hasSize(2);
    assertThat(hd).allSatisfy(h -> assertThat(h.getAttribute("display")).isEqualTo("on"));
    assertThat(hd.get(0).getAttribute("ramfb")).isEqualTo("on");
    assertThat(hd.get(1).hasAttribute("ramfb")).isFalse();
  }

  @Test
  void displayWithOnlyPassthroughKeepsAnEmulatedVga() throws Exception {
    Document d = parse(build(spec("vm", true, pci("0000:01:00.0", 0))));
    Element model = (Element) one(d, "video").getElementsByTagName("model").item(0);
    assertThat(model.getAttribute("type")).isEqualTo("vga");
    assertThat(all(d, "hostdev")).allSatisfy(h -> assertThat(h.hasAttribute("display")).isFalse());
  }

  @Test
  void numaPinnedWhenAllGpusShareANode() throws Exception {
    HostTopology topo = new HostTopology(Map.of(0, "0-7", 1, "8-15"));
    Document d = parse(build(spec("vm", false, pci("0001:81:00.0", 1), pci("0001:82:00.0", 1)),
        topo));
    Element vcpu = one(d, "vcpu");
    assertThat(vcpu.getAttribute("placement")).isEqualTo("static");
    assertThat(vcpu.getAttribute("cpuset")).isEqualTo("8-15");
    Element mem = (Element) one(d, "numatune").getElementsByTagName("memory").item(0);
    assertThat(mem.getAttribute("mode")).isEqualTo("strict");
    assertThat(mem.getAttribute("nodeset")).isEqualTo("1");
  }

  @Test
  void numaNeverAutoPlacementWhenNodeCpusUnknown() throws Exception {
    // placement='auto' would ask numad, which a host may not run: the vCPUs stay unpinned, memory strict
    Document d = parse(build(spec("vm", false, pci("0000:41:00.0", 0)), HostTopology.empty()));
    Element vcpu = one(d, "vcpu");
    assertThat(vcpu.getAttribute("placement")).isEqualTo("static");
    assertThat(vcpu.hasAttribute("cpuset")).isFalse();
    Element mem = (Element) one(d, "numatune").getElementsByTagName("memory").item(0);
    assertThat(mem.getAttribute("mode")).isEqualTo("strict");
    assertThat(mem.getAttribute("nodeset")).isEqualTo("0");
  }

  @Test
  void numaPinnedToTheCpusOfASimulatedHostsNode() throws Exception {
    // H2: 16 CPUs on 2 nodes, as its test-driver document declares them
    Document d = parse(build(spec("vm", false, pci("0000:41:00.0", 0)), HostTopology.contiguous(2, 8)));
    assertThat(one(d, "vcpu").getAttribute("cpuset")).isEqualTo("0-7");
    assertThat(((Element) one(d, "numatune").getElementsByTagName("memory").item(0)).getAttribute("nodeset"))
        .isEqualTo("0");
    assertThat(build(spec("vm", false, pci("0000:41:00.0", 0)), HostTopology.contiguous(2, 8)))
        .doesNotContain("placement=\"auto\"");
  }

  @Test
  void noNumaPinningWhenGpusAreSpread() throws Exception {
    HostTopology topo = new HostTopology(Map.of(0, "0-7", 1, "8-15"));
    Document d = parse(build(spec("vm", false, pci("0000:41:00.0", 0), pci("0001:81:00.0", 1)),
        topo));
    assertThat(all(d, "numatune")).isEmpty();
    assertThat(one(d, "vcpu").hasAttribute("cpuset")).isFalse();
    assertThat(one(d, "vcpu").getAttribute("placement")).isEqualTo("static");
  }

  @Test
  void noNumaPinningWhenNodeUnknown() throws Exception {
    Document d = parse(build(spec("vm", false, pci("0000:41:00.0", -1), pci("0000:42:00.0", -1)),
        new HostTopology(Map.of(0, "0-3"))));
    assertThat(all(d, "numatune")).isEmpty();
  }

  @Test
  void namesAndPathsAreEscaped() throws Exception {
    String name = "vm<&>'\"x";
    InstanceSpec s = new InstanceSpec(ID, name, "H1", 1, 1000, 512, false,
        new TemplateImage("t", "o", "/img/t.qcow2", 1), List.of());
    Document d = parse(DomainXmlBuilder.build(s, HostTopology.empty(), "/img/a'b\"<c>&.qcow2"));
    assertThat(one(d, "name").getTextContent()).isEqualTo(name);
    assertThat(((Element) one(d, "disk").getElementsByTagName("source").item(0)).getAttribute("file"))
        .isEqualTo("/img/a'b\"<c>&.qcow2");
    assertThat(all(d, "c")).isEmpty();
  }

  @Test
  void rejectsWhatCannotMakeADomain() {
    assertThatThrownBy(() -> build(new InstanceSpec("not-a-uuid", "vm", "H1", 1, 1, 1, false,
        TEMPLATE, List.of()))).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not-a-uuid");
    assertThatThrownBy(() -> build(spec("vm", false, pci("zz:00", 0))))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("zz:00");
    assertThatThrownBy(() -> build(spec("vm", false, mdev("nope", "0000:00:05.0", 0))))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("nope");
    assertThatThrownBy(() -> build(spec("vm", false,
        new AssignedDevice("p", "0000:00:05.0", DeviceType.VGPU_ONLY, null, null, 0))))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("VGPU_ONLY");
    assertThatThrownBy(() -> DomainXmlBuilder.build(spec("vm", false), HostTopology.empty(), " "))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("root disk");
  }

  @Test
  void outputPassesTheValidator() {
    String xml = build(spec("vm-1", true, mdev(MDEV1, "0000:00:05.0", 0), pci("0000:00:01.0", 0)));
    DomainXmlValidator.validate(xml, "vm-1", ID);
  }
}
