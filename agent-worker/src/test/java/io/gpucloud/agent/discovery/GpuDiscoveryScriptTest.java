package io.gpucloud.agent.discovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gpucloud.activities.discovery.DiscoveredGpu;
import io.gpucloud.activities.discovery.DiscoveryReport;
import io.gpucloud.activities.discovery.LibvirtAddress;
import io.gpucloud.activities.discovery.VirtualGpu;
import io.gpucloud.agent.hooks.HookFailedException;
import io.gpucloud.agent.hooks.HookResult;
import io.gpucloud.agent.hooks.HookRunner;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Runs hooks/gpudiscovery.sh against sysfs-shaped trees made of plain directories, files and symlinks. */
@Timeout(120)
class GpuDiscoveryScriptTest {
  /** Maven runs tests with the module directory as the working directory. */
  static final Path SCRIPT = Path.of("hooks", "gpudiscovery.sh").toAbsolutePath();

  static final String UUID_1 = "4b20d080-1b54-4048-85b3-a6a62d165c01";
  static final String UUID_2 = "5c9a1e2f-3b4d-4e5f-8a9b-0c1d2e3f4a5b";

  @TempDir Path tmp;
  Path root;
  final HookRunner runner = new HookRunner(Duration.ofSeconds(60), 4 * 1024 * 1024);

  @BeforeEach
  void setUp() throws IOException {
    root = tmp.resolve("sysfs root"); // a space in the path on purpose
    Files.createDirectories(root.resolve("sys/bus/pci/devices"));
  }

  // ---- tree builders --------------------------------------------------------------------------------

  /** The tree the script reads; the builders below are its, under the names these tests use. */
  SysfsTree tree() throws IOException {
    return new SysfsTree(root);
  }

  Path device(String busDir, String parentPath, String addr, String cls, String vendor, String device)
      throws IOException {
    return tree().device(busDir, parentPath, addr, cls, vendor, device);
  }

  static void write(Path file, String content) throws IOException {
    SysfsTree.write(file, content);
  }

  static void link(Path link, Path target) throws IOException {
    SysfsTree.link(link, target);
  }

  void driver(Path dev, String name) throws IOException {
    tree().driver(dev, name);
  }

  void iommuGroup(Path dev, String group) throws IOException {
    tree().iommuGroup(dev, group);
  }

  void mdevType(Path dev, String type, String name, int available, String description, String... uuids)
      throws IOException {
    tree().mdevType(dev, type, name, available, description, uuids);
  }

  /** Adds VFs next to the PF (as on real hosts) with physfn links back, and virtfnN links on the PF. */
  List<String> vfs(Path pf, String busDir, String parentPath, String vfDevice, String... vfAddrs) throws IOException {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < vfAddrs.length; i++) {
      tree().vf(pf, i, busDir, parentPath, vfAddrs[i], "0x038000", "1002", vfDevice);
      out.add(vfAddrs[i]);
    }
    return out;
  }

  /** The full host of the tests: every GPU class, a NIC, a non-zero domain, mdevs and VFs. */
  void buildHost() throws IOException {
    // VGA behind a root port, passthrough, vfio-pci
    Path vga = device("pci0000:00", "0000:00:01.0", "0000:01:00.0", "0x030000", "10de", "25a0");
    write(vga.resolve("numa_node"), "0\n");
    driver(vga, "vfio-pci");
    iommuGroup(vga, "14");
    write(vga.resolve("sriov_totalvfs"), "0\n");
    write(vga.resolve("sriov_numvfs"), "0\n");
    Files.createDirectories(root.resolve("sys/devices/pci0000:00/0000:00:01.0"));
    write(root.resolve("sys/devices/pci0000:00/0000:00:01.0/class"), "0x060400\n");

    // 3D controller with NVIDIA mdevs
    Path t4 = device("pci0000:00", "0000:00:03.0/0000:3a:00.0", "0000:3b:00.0", "0x030200", "10de", "1eb8");
    write(t4.resolve("numa_node"), "1\n");
    driver(t4, "nvidia");
    iommuGroup(t4, "30");
    mdevType(t4, "nvidia-222", "GRID T4-4Q", 2,
        "num_heads=4, frl_config=60, framebuffer=4096M, max_resolution=7680x4320, max_instance=4", UUID_1, UUID_2);
    mdevType(t4, "nvidia-223", "GRID \"T4\"-8Q \\ test", 2, null);
    mdevType(t4, "nvidia-230", null, 0, null, "6d1f0b2e-0000-4000-8000-000000000001");

    // Display controller (AMD SR-IOV) with 11 VFs, in its own root complex
    Path amd = device("pci0000:c0", "0000:c0:01.1", "0000:c1:00.0", "0x038000", "1002", "7461");
    write(amd.resolve("numa_node"), "-1\n");
    write(amd.resolve("sriov_totalvfs"), "16\n");
    write(amd.resolve("sriov_numvfs"), "11\n");
    iommuGroup(amd, "52");
    List<String> vfAddrs = new ArrayList<>();
    for (int i = 0; i < 11; i++) {
      vfAddrs.add(String.format("0000:c1:%02x.%d", 2 + i / 8, i % 8));
    }
    vfs(amd, "pci0000:c0", "0000:c0:01.1", "7462", vfAddrs.toArray(String[]::new));

    // Processing accelerator directly on the root bus: no numa_node, driver or iommu group
    device("pci0000:00", null, "0000:00:02.0", "0x120000", "8086", "1020");

    // VGA in PCI domain 0001
    Path dom1 = device("pci0001:80", "0001:80:01.0", "0001:81:00.0", "0x030000", "10de", "2236");
    write(dom1.resolve("numa_node"), "1\n");

    // A NIC and a bridge: not GPUs
    Path nic = device("pci0000:00", null, "0000:00:19.0", "0x020000", "8086", "15b8");
    driver(nic, "e1000e");
    device("pci0000:00", null, "0000:00:1c.0", "0x060400", "8086", "a110");
  }

  HookResult runScript() {
    return runner.run(SCRIPT, null, List.of("--root", root.toString()), null);
  }

  DiscoveryReport discover() {
    return DiscoveryParser.parse(runScript().stdout());
  }

  static Map<String, DiscoveredGpu> byAddress(DiscoveryReport r) {
    return r.gpus().stream().collect(Collectors.toMap(DiscoveredGpu::pciAddress, Function.identity()));
  }

  // ---- tests ----------------------------------------------------------------------------------------

  @Test
  void scriptIsExecutable() {
    assertThat(SCRIPT).exists().isExecutable();
  }

  @Test
  void findsAllGpuClassesAndNothingElse() throws IOException {
    buildHost();
    DiscoveryReport r = discover();
    assertThat(r.gpus()).extracting(DiscoveredGpu::pciAddress)
        .containsExactlyInAnyOrder("0000:01:00.0", "0000:3b:00.0", "0000:c1:00.0", "0000:00:02.0", "0001:81:00.0");
    Map<String, DiscoveredGpu> g = byAddress(r);
    assertThat(g.get("0000:01:00.0").pciClass()).isEqualTo("VGA compatible controller [0300]");
    assertThat(g.get("0000:3b:00.0").pciClass()).isEqualTo("3D controller [0302]");
    assertThat(g.get("0000:c1:00.0").pciClass()).isEqualTo("Display controller [0380]");
    assertThat(g.get("0000:00:02.0").pciClass()).isEqualTo("Processing accelerators [1200]");
  }

  @Test
  void passthroughGpuDetails() throws IOException {
    buildHost();
    DiscoveredGpu g = byAddress(discover()).get("0000:01:00.0");
    assertThat(g.vendorId()).isEqualTo("10de");
    assertThat(g.deviceId()).isEqualTo("25a0");
    // no lspci under a test root: names are the ids
    assertThat(g.vendor()).isEqualTo("10de");
    assertThat(g.device()).isEqualTo("25a0");
    assertThat(g.driver()).isEqualTo("vfio-pci");
    assertThat(g.iommuGroup()).isEqualTo("14");
    assertThat(g.pciRoot()).isEqualTo("0000:00:01.0");
    assertThat(g.numaNode()).isZero();
    assertThat(g.sriovTotalVfs()).isZero();
    assertThat(g.fullPassthrough().enabled()).isTrue();
    assertThat(g.fullPassthrough().libvirtAddress()).isEqualTo(new LibvirtAddress("0x0000", "0x01", "0x00", "0x0"));
    assertThat(g.fullPassthrough().usedByVm()).isNull();
    assertThat(g.vgpuInstances()).isEmpty();
    assertThat(g.vfInstances()).isEmpty();
  }

  @Test
  void rootBusDeviceHasDefaults() throws IOException {
    buildHost();
    DiscoveredGpu g = byAddress(discover()).get("0000:00:02.0");
    assertThat(g.pciRoot()).isEqualTo("0000:00:02.0");
    assertThat(g.numaNode()).isEqualTo(-1);
    assertThat(g.driver()).isNull();
    assertThat(g.iommuGroup()).isNull();
    assertThat(g.sriovTotalVfs()).isZero();
    assertThat(g.sriovNumVfs()).isZero();
    assertThat(g.fullPassthrough().enabled()).isTrue();
  }

  @Test
  void nonZeroDomainKeptInFull() throws IOException {
    buildHost();
    DiscoveredGpu g = byAddress(discover()).get("0001:81:00.0");
    assertThat(g.pciRoot()).isEqualTo("0001:80:01.0");
    assertThat(g.numaNode()).isEqualTo(1);
    assertThat(g.fullPassthrough().libvirtAddress()).isEqualTo(new LibvirtAddress("0x0001", "0x81", "0x00", "0x0"));
  }

  @Test
  void mdevInstancesWithProfiles() throws IOException {
    buildHost();
    DiscoveredGpu g = byAddress(discover()).get("0000:3b:00.0");
    assertThat(g.numaNode()).isEqualTo(1);
    assertThat(g.iommuGroup()).isEqualTo("30");
    assertThat(g.driver()).isEqualTo("nvidia");
    assertThat(g.pciRoot()).isEqualTo("0000:00:03.0");
    assertThat(g.fullPassthrough().enabled()).isFalse();
    assertThat(g.vfInstances()).isEmpty();
    assertThat(g.vgpuInstances()).extracting(VirtualGpu::address)
        .containsExactlyInAnyOrder(UUID_1, UUID_2, "6d1f0b2e-0000-4000-8000-000000000001");
    VirtualGpu v1 = g.vgpuInstances().stream().filter(v -> v.address().equals(UUID_1)).findFirst().orElseThrow();
    assertThat(v1.profileName()).isEqualTo("GRID T4-4Q");
    assertThat(v1.maxInstances()).isEqualTo(4); // 2 available + 2 created
    assertThat(v1.videoRam()).isEqualTo(4096L);
    assertThat(v1.maxHeads()).isEqualTo(4);
    assertThat(v1.maxResolutionX()).isEqualTo(7680);
    assertThat(v1.maxResolutionY()).isEqualTo(4320);
    assertThat(v1.usedByVm()).isNull();
    VirtualGpu unnamed = g.vgpuInstances().stream()
        .filter(v -> v.address().startsWith("6d1f0b2e")).findFirst().orElseThrow();
    assertThat(unnamed.profileName()).isEqualTo("nvidia-230"); // no name file: the type dir name
    assertThat(unnamed.maxInstances()).isEqualTo(1);
    assertThat(unnamed.videoRam()).isNull();
  }

  @Test
  void vfsListedUnderTheirPfOnly() throws IOException {
    buildHost();
    DiscoveryReport r = discover();
    assertThat(r.gpus()).extracting(DiscoveredGpu::pciAddress).noneMatch(a -> a.startsWith("0000:c1:02")
        || a.startsWith("0000:c1:03"));
    DiscoveredGpu amd = byAddress(r).get("0000:c1:00.0");
    assertThat(amd.sriovTotalVfs()).isEqualTo(16);
    assertThat(amd.sriovNumVfs()).isEqualTo(11);
    assertThat(amd.numaNode()).isEqualTo(-1);
    assertThat(amd.pciRoot()).isEqualTo("0000:c0:01.1");
    assertThat(amd.fullPassthrough().enabled()).isFalse();
    assertThat(amd.vgpuInstances()).isEmpty();
    // virtfn0..virtfn10 in numeric order (virtfn10 after virtfn9, not after virtfn1)
    assertThat(amd.vfInstances()).extracting(VirtualGpu::address).containsExactly(
        "0000:c1:02.0", "0000:c1:02.1", "0000:c1:02.2", "0000:c1:02.3", "0000:c1:02.4", "0000:c1:02.5",
        "0000:c1:02.6", "0000:c1:02.7", "0000:c1:03.0", "0000:c1:03.1", "0000:c1:03.2");
    // sysfs has no VF profile name: the control plane names unnamed VFs (as for CloudStack's empty vf_profile)
    assertThat(amd.vfInstances()).extracting(VirtualGpu::profileName).containsOnlyNulls();
    // a VF reports its own driver and IOMMU group: none in this tree, and never the parent's
    assertThat(amd.vfInstances()).extracting(VirtualGpu::driver).containsOnlyNulls();
    assertThat(amd.vfInstances()).extracting(VirtualGpu::vgpuTypes).containsOnly(List.of());
    assertThat(amd.vfInstances().get(9).libvirtAddress())
        .isEqualTo(new LibvirtAddress("0x0000", "0xc1", "0x03", "0x1"));
  }

  @Test
  void escapesStringsProperly() throws IOException {
    Path t4 = device("pci0000:00", null, "0000:00:04.0", "0x030200", "10de", "1eb8");
    mdevType(t4, "nvidia-223", "GRID \"T4\"-8Q \\ test\twith tab", 0, null, UUID_1);
    DiscoveredGpu g = discover().gpus().get(0);
    assertThat(g.vgpuInstances()).singleElement()
        .satisfies(v -> assertThat(v.profileName()).isEqualTo("GRID \"T4\"-8Q \\ test\twith tab"));
  }

  @Test
  void emptyTreeGivesNoGpus() throws IOException {
    device("pci0000:00", null, "0000:00:19.0", "0x020000", "8086", "15b8");
    HookResult r = runScript();
    assertThat(DiscoveryParser.parse(r.stdout()).gpus()).isEmpty();
  }

  @Test
  void rootFromEnvironmentAndTrailingSlash() throws Exception {
    buildHost();
    ProcessBuilder pb = new ProcessBuilder(SCRIPT.toString()).redirectErrorStream(false);
    pb.environment().put("GPU_SYSFS_ROOT", root + "/");
    Process p = pb.start();
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor()).isZero();
    assertThat(DiscoveryParser.parse(out).gpus()).hasSize(5);
  }

  @Test
  void rootOptionWithEqualsSign() throws IOException {
    buildHost();
    HookResult r = runner.run(SCRIPT, null, List.of("--root=" + root), null);
    assertThat(DiscoveryParser.parse(r.stdout()).gpus()).hasSize(5);
  }

  @Test
  void help() {
    HookResult r = runner.run(SCRIPT, "--help", List.of(), null);
    assertThat(r.stdout()).contains("--root DIR").contains("GPU_SYSFS_ROOT");
  }

  @Test
  void missingRootFails() {
    assertThatThrownBy(() -> runner.run(SCRIPT, null, List.of("--root", tmp.resolve("nope").toString()), null))
        .isInstanceOf(HookFailedException.class)
        .hasMessageContaining("no PCI devices directory");
  }

  @Test
  void unknownOptionFails() {
    assertThatThrownBy(() -> runner.run(SCRIPT, "--bogus", List.of(), null))
        .isInstanceOf(HookFailedException.class)
        .hasMessageContaining("unknown option");
  }
}
