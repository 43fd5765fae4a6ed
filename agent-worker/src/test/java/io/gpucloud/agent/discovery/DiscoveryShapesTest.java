package io.gpucloud.agent.discovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.gpucloud.activities.discovery.DiscoveredGpu;
import io.gpucloud.activities.discovery.DiscoveryProblem;
import io.gpucloud.activities.discovery.DiscoveryProblem.Kind;
import io.gpucloud.activities.discovery.DiscoveryReport;
import io.gpucloud.activities.discovery.LibvirtAddress;
import io.gpucloud.activities.discovery.VirtualGpu;
import io.gpucloud.agent.AgentOptions;
import io.gpucloud.agent.HostDiscoveryActivities;
import io.gpucloud.agent.hooks.HookRunner;
import io.temporal.common.converter.JacksonJsonPayloadConverter;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real hardware shapes through the agent's discovery (hook runner, parser, console filter): CloudStack 4.21's
 * script output for hosts it gets wrong (files under discovery/cloudstack, written by hand from each
 * server's layout), and our gpudiscovery.sh on sysfs trees of such servers.
 *
 * <p>Each report is also checked against its golden copy, as Temporal carries it to the control plane, in
 * activities/control-plane/src/test/resources/discovery/reports: the control plane's DiscoveryShapesReconcileTest
 * reconciles those same reports, so a fixture goes through discovery, the parser and the reconcile. After a
 * deliberate change of the report, rewrite them with {@code -Ddiscovery.golden=write}.
 */
@Timeout(180)
class DiscoveryShapesTest {
  static final Path SCRIPT = Path.of("hooks", "gpudiscovery.sh").toAbsolutePath();
  static final Path GOLDEN = Path.of("..", "activities", "control-plane", "src", "test", "resources", "discovery",
      "reports").toAbsolutePath().normalize();
  static final ObjectMapper TEMPORAL_JSON =
      JacksonJsonPayloadConverter.newDefaultObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  static final String L40S_12Q = "num_heads=4, frl_config=60, framebuffer=12288M, max_resolution=7680x4320,"
      + " max_instance=4";
  static final String L40S_24Q = "num_heads=4, frl_config=60, framebuffer=24576M, max_resolution=7680x4320,"
      + " max_instance=2";

  @TempDir Path tmp;
  SysfsTree tree;
  final HookRunner runner = new HookRunner(Duration.ofSeconds(120), 4 * 1024 * 1024);

  @BeforeEach
  void setUp() throws IOException {
    tree = new SysfsTree(tmp.resolve("sysfs"));
  }

  // ---- running discovery as the agent does ---------------------------------------------------------

  Path hook(String body) throws IOException {
    Path hook = tmp.resolve("gpudiscovery-" + System.nanoTime() + ".sh");
    Files.writeString(hook, "#!/bin/sh\n" + body + "\n");
    Files.setPosixFilePermissions(hook, PosixFilePermissions.fromString("rwxr-xr-x"));
    return hook;
  }

  static Path fixture(String name) {
    try {
      return Path.of(DiscoveryShapesTest.class.getResource("/discovery/cloudstack/" + name).toURI());
    } catch (URISyntaxException | NullPointerException e) {
      throw new AssertionError("no fixture " + name, e);
    }
  }

  /** CloudStack's script replaced by a hook that prints what it prints on that host. */
  DiscoveryReport cloudstack(String name) throws IOException {
    return new HostDiscoveryActivities(hook("cat '" + fixture(name) + "'"), runner).discoverGpus();
  }

  /** Our script on the tree, called with whatever the agent passes (--include with an opt-in). */
  DiscoveryReport ours(DiscoveryOptIn optIn) throws IOException {
    return new HostDiscoveryActivities(hook("exec bash '" + SCRIPT + "' --root '" + tree.root + "' \"$@\""), runner,
        optIn).discoverGpus();
  }

  /** The report as Temporal carries it equals the golden copy the control plane's tests reconcile. */
  static void golden(String name, DiscoveryReport report) throws IOException {
    Path file = GOLDEN.resolve(name + ".json");
    // through text, as on the wire (a tree made from the record keeps Java's number types)
    JsonNode actual = TEMPORAL_JSON.readTree(TEMPORAL_JSON.writeValueAsString(report));
    if ("write".equals(System.getProperty("discovery.golden"))) {
      Files.createDirectories(GOLDEN);
      Files.writeString(file, TEMPORAL_JSON.writeValueAsString(actual) + "\n");
    }
    assertThat(file).as("golden report (write it with -Ddiscovery.golden=write)").exists();
    assertThat(actual).as("report %s against %s", name, file).isEqualTo(TEMPORAL_JSON.readTree(file.toFile()));
    assertThat(TEMPORAL_JSON.treeToValue(actual, DiscoveryReport.class)).as("round trip").isEqualTo(report);
  }

  static Map<String, DiscoveredGpu> byAddress(DiscoveryReport r) {
    return r.gpus().stream().collect(Collectors.toMap(DiscoveredGpu::pciAddress, Function.identity()));
  }

  static List<DiscoveryProblem> problems(DiscoveryReport r, Kind kind) {
    return r.problems().stream().filter(p -> p.kind() == kind).toList();
  }

  // ---- CloudStack's script output ------------------------------------------------------------------

  @Test
  void cloudstackL40sWithVgpusOnVfs() throws IOException {
    DiscoveryReport r = cloudstack("l40s-vgpu-on-vfs.json");
    assertThat(r.problems()).isEmpty();
    assertThat(r.gpus()).extracting(DiscoveredGpu::pciAddress).containsExactly("0000:41:00.0", "0000:61:00.0");
    DiscoveredGpu g = r.gpus().get(0);
    assertThat(g.fullPassthrough().enabled()).isFalse();
    assertThat(g.vfInstances()).hasSize(32);
    // every VF listed with vf_profile "": accepted, unnamed
    assertThat(g.vfInstances()).extracting(VirtualGpu::profileName).containsOnlyNulls();
    assertThat(g.vfInstances()).extracting(VirtualGpu::driver).containsOnlyNulls(); // none in the JSON: unknown
    assertThat(g.vfInstances().get(0).address()).isEqualTo("0000:41:00.4");
    assertThat(g.vfInstances().get(31).address()).isEqualTo("0000:41:04.3");
    // each vGPU is tied to the VF it is created on, through its libvirt_address
    assertThat(g.vgpuInstances()).extracting(VirtualGpu::parentAddress).containsExactly("0000:41:00.4", "0000:41:00.5");
    assertThat(g.vgpuInstances()).extracting(VirtualGpu::usedByVm).containsExactly("i-2-41-VM", null);
    assertThat(r.gpus().get(1).vgpuInstances()).extracting(VirtualGpu::profileName).containsOnly("NVIDIA L40S-24Q");
    golden("cloudstack-l40s-vgpu-on-vfs", r);
  }

  @Test
  void cloudstackMi210WithEmptyVfProfiles() throws IOException {
    DiscoveryReport r = cloudstack("mi210-sriov.json");
    assertThat(r.problems()).isEmpty();
    DiscoveredGpu g = r.gpus().get(0);
    assertThat(g.pciAddress()).isEqualTo("0000:c3:00.0");
    assertThat(g.sriovNumVfs()).isEqualTo(4);
    assertThat(g.numaNode()).isEqualTo(1);
    assertThat(g.vfInstances()).extracting(VirtualGpu::address)
        .containsExactly("0000:c3:02.0", "0000:c3:02.1", "0000:c3:02.2", "0000:c3:02.3");
    assertThat(g.vfInstances()).extracting(VirtualGpu::profileName).containsOnlyNulls();
    assertThat(g.vfInstances()).extracting(VirtualGpu::usedByVm).containsExactly(null, "i-5-77-VM", null, null);
    golden("cloudstack-mi210-sriov", r);
  }

  @Test
  void cloudstackFlex170WithVfsAndOneWholeGpu() throws IOException {
    DiscoveryReport r = cloudstack("flex170-sriov.json");
    assertThat(r.problems()).isEmpty();
    Map<String, DiscoveredGpu> g = byAddress(r);
    assertThat(g.get("0000:4d:00.0").vfInstances()).hasSize(8)
        .extracting(VirtualGpu::address).startsWith("0000:4d:00.1").endsWith("0000:4d:01.0");
    assertThat(g.get("0000:4d:00.0").fullPassthrough().enabled()).isFalse();
    assertThat(g.get("0000:9a:00.0").fullPassthrough().enabled()).isTrue();
    assertThat(g.get("0000:9a:00.0").hostsVirtualFunctions()).isFalse();
    golden("cloudstack-flex170-sriov", r);
  }

  @Test
  void cloudstackDomain1GpuWithGarbledFieldsNextToAHealthyOne() throws IOException {
    DiscoveryReport r = cloudstack("domain1-garbled.json");
    Map<String, DiscoveredGpu> g = byAddress(r);
    assertThat(g).containsOnlyKeys("0000:17:00.0", "0001:81:00.0"); // the healthy one is not lost
    DiscoveredGpu dom1 = g.get("0001:81:00.0");
    // pci_address is authoritative: the libvirt address is derived from it, not from "0x1:"
    assertThat(dom1.fullPassthrough().libvirtAddress()).isEqualTo(new LibvirtAddress("0x0001", "0x81", "0x00", "0x0"));
    assertThat(dom1.fullPassthrough().enabled()).isTrue();
    // sentinels are unknown, never literal text
    assertThat(dom1.iommuGroup()).isNull();
    assertThat(dom1.driver()).isNull();
    assertThat(dom1.numaNode()).isEqualTo(-1);
    assertThat(dom1.pciRoot()).isNull(); // "0000:0001:81:00.0" is no PCI address
    assertThat(problems(r, Kind.UNUSABLE)).isEmpty();
    assertThat(problems(r, Kind.WARNING)).extracting(DiscoveryProblem::message).containsExactlyInAnyOrder(
        "gpus[1].full_passthrough.libvirt_address.slot: expected a hex string like \"0x00\", got \"0x1:\";"
            + " the libvirt address is derived from pci_address",
        "gpus[1].pci_root: \"0000:0001:81:00.0\" is not a PCI address; taken as unknown");
    assertThat(problems(r, Kind.WARNING)).extracting(DiscoveryProblem::address).containsOnly("0001:81:00.0");
    DiscoveredGpu healthy = g.get("0000:17:00.0");
    assertThat(healthy.numaNode()).isZero();
    assertThat(healthy.pciRoot()).isEqualTo("0000:16:01.0");
    assertThat(healthy.iommuGroup()).isEqualTo("25");
    golden("cloudstack-domain1-garbled", r);
  }

  @Test
  void cloudstackSentinelsAreUnknownAndAnUnusableEntryIsLeftOutWithItsAddress() throws IOException {
    DiscoveryReport r = cloudstack("sentinels.json");
    Map<String, DiscoveredGpu> g = byAddress(r);
    assertThat(g).containsOnlyKeys("0000:21:00.0", "0000:22:00.0");
    DiscoveredGpu t4 = g.get("0000:21:00.0");
    assertThat(t4.driver()).isNull();
    assertThat(t4.iommuGroup()).isNull();
    assertThat(t4.pciRoot()).isNull();
    assertThat(t4.numaNode()).isEqualTo(-1);
    assertThat(t4.sriovTotalVfs()).isZero();
    assertThat(t4.sriovNumVfs()).isZero();
    assertThat(t4.maxInstances()).isNull();
    assertThat(t4.videoRam()).isNull();
    assertThat(t4.maxResolutionX()).isNull();
    assertThat(t4.maxResolutionY()).isNull();
    assertThat(t4.fullPassthrough().usedByVm()).isNull();
    assertThat(t4.vgpuInstances()).hasSize(2);
    VirtualGpu m1 = t4.vgpuInstances().get(0);
    assertThat(m1.maxHeads()).isNull();
    assertThat(m1.maxResolutionX()).isNull();
    assertThat(m1.usedByVm()).isNull();
    assertThat(m1.parentAddress()).isNull(); // on the GPU itself
    VirtualGpu m2 = t4.vgpuInstances().get(1);
    assertThat(m2.maxHeads()).isEqualTo(4);
    assertThat(m2.maxResolutionX()).isEqualTo(7680);
    assertThat(m2.usedByVm()).isNull();
    DiscoveredGpu a10 = g.get("0000:22:00.0");
    assertThat(a10.vendor()).isNull();
    assertThat(a10.device()).isNull();
    assertThat(a10.driver()).isNull();
    assertThat(a10.iommuGroup()).isNull();
    assertThat(a10.numaNode()).isEqualTo(-1);
    assertThat(a10.fullPassthrough().enabled()).isTrue();
    assertThat(a10.fullPassthrough().usedByVm()).isNull();
    assertThat(problems(r, Kind.UNUSABLE)).extracting(DiscoveryProblem::entry, DiscoveryProblem::address,
        DiscoveryProblem::message).containsExactly(
            tuple("gpus[0].vgpu_instances[2]", null,
                "gpus[0].vgpu_instances[2].mdev_uuid: expected a UUID like \"4b20d080-1b54-4048-85b3-a6a62d165c01\","
                    + " got \"null\""),
            tuple("gpus[2]", "0000:e1:00.0",
                "gpus[2].vendor_id: expected 4 hex digits, got \"unknown\""));
    assertThat(problems(r, Kind.WARNING)).isEmpty();
    golden("cloudstack-sentinels", r);
  }

  // ---- our gpudiscovery.sh on sysfs trees -----------------------------------------------------------

  /** 2 x L40S with NVIDIA vGPU on SR-IOV: 32 VFs each; types and instances under the VFs, none on the PFs. */
  void buildL40sTree() throws IOException {
    String[][] gpus = {
        {"pci0000:40", "0000:40:01.1", "41", "0", "46", "nvidia-1155", "NVIDIA L40S-12Q", L40S_12Q,
            "3f1c9a52-6b0e-4d7a-9c3e-5a2b8f0d4e61", "7a04e6b3-2c91-4f58-8d2e-0b6c3a9f1e72"},
        {"pci0000:60", "0000:60:01.1", "61", "1", "97", "nvidia-1156", "NVIDIA L40S-24Q", L40S_24Q,
            "c2d8f1a4-9e37-4b06-a5c1-7f3e2d9b8a03", "e95b0c7d-4a12-4e8f-b6d3-1c0a7e5f2b94"}};
    for (String[] g : gpus) {
      String bus = g[2];
      Path pf = tree.device(g[0], g[1], "0000:" + bus + ":00.0", "0x030200", "10de", "26b9");
      tree.driver(pf, "nvidia").iommuGroup(pf, g[4]).attribute(pf, "numa_node", g[3])
          .attribute(pf, "sriov_totalvfs", "32").attribute(pf, "sriov_numvfs", "32");
      for (int i = 0; i < 32; i++) {
        int fn = 4 + i;
        String addr = String.format("0000:%s:%02x.%d", bus, fn / 8, fn % 8);
        Path vf = tree.vf(pf, i, g[0], g[1], addr, "0x030200", "10de", "26b9");
        tree.driver(vf, "nvidia").iommuGroup(vf, String.valueOf(Integer.parseInt(g[4]) + 1 + i))
            .attribute(vf, "numa_node", g[3]);
        // once a GPU runs one type, its other VFs offer that type only (one vGPU per VF)
        String[] uuids = i < 2 ? new String[] {g[8 + i]} : new String[0];
        tree.mdevType(vf, g[5], g[6], i < 2 ? 0 : 1, g[7], uuids);
      }
    }
  }

  @Test
  void ourScriptFindsVgpusOnVfsAndTheirGpuIsTheParent() throws IOException {
    buildL40sTree();
    DiscoveryReport r = ours(DiscoveryOptIn.NONE);
    assertThat(r.problems()).isEmpty();
    assertThat(r.gpus()).extracting(DiscoveredGpu::pciAddress).containsExactly("0000:41:00.0", "0000:61:00.0");
    DiscoveredGpu g = r.gpus().get(0);
    assertThat(g.fullPassthrough().enabled()).as("the GPU is the VGPU_ONLY parent").isFalse();
    assertThat(g.vgpuInstances()).extracting(VirtualGpu::address)
        .containsExactly("3f1c9a52-6b0e-4d7a-9c3e-5a2b8f0d4e61", "7a04e6b3-2c91-4f58-8d2e-0b6c3a9f1e72");
    assertThat(g.vgpuInstances()).extracting(VirtualGpu::parentAddress).containsExactly("0000:41:00.4", "0000:41:00.5");
    VirtualGpu m = g.vgpuInstances().get(0);
    assertThat(m.profileName()).isEqualTo("NVIDIA L40S-12Q");
    assertThat(m.maxInstances()).as("per GPU, from the type's description").isEqualTo(4);
    assertThat(m.videoRam()).isEqualTo(12288L);
    assertThat(m.libvirtAddress()).isEqualTo(new LibvirtAddress("0x0000", "0x41", "0x00", "0x4"));
    assertThat(g.vfInstances()).hasSize(32).allSatisfy(vf -> {
      assertThat(vf.vgpuTypes()).containsExactly("NVIDIA L40S-12Q");
      assertThat(vf.driver()).isEqualTo("nvidia"); // its own
      assertThat(vf.profileName()).isNull();
    });
    assertThat(g.vfInstances()).extracting(VirtualGpu::iommuGroup).startsWith("47", "48").endsWith("78");
    golden("sysfs-l40s-vgpu-on-vfs", r);
  }

  /** An ASPEED BMC display (the server's console, boot VGA) next to two A100s. */
  void buildBmcTree() throws IOException {
    Path ast = tree.device("pci0000:00", "0000:00:1c.0/0000:02:00.0", "0000:03:00.0", "0x030000", "1a03", "2000");
    tree.driver(ast, "ast").iommuGroup(ast, "12").attribute(ast, "boot_vga", "1").attribute(ast, "numa_node", "-1");
    Path a = tree.device("pci0000:16", "0000:16:01.0", "0000:17:00.0", "0x030200", "10de", "20b5");
    tree.driver(a, "vfio-pci").iommuGroup(a, "25").attribute(a, "numa_node", "0");
    Path b = tree.device("pci0000:ca", "0000:ca:01.0", "0000:cb:00.0", "0x030200", "10de", "20b5");
    tree.driver(b, "vfio-pci").iommuGroup(b, "140").attribute(b, "numa_node", "1");
  }

  @Test
  void ourScriptSkipsTheBmcDisplay() throws IOException {
    buildBmcTree();
    DiscoveryReport r = ours(DiscoveryOptIn.NONE);
    assertThat(r.gpus()).extracting(DiscoveredGpu::pciAddress).containsExactly("0000:17:00.0", "0000:cb:00.0");
    assertThat(r.gpus()).allSatisfy(g -> assertThat(g.fullPassthrough().enabled()).isTrue());
    assertThat(r.problems()).isEmpty();
    golden("sysfs-bmc-and-a100", r);
    // and the script says so on stderr
    assertThat(runner.run(SCRIPT, null, List.of("--root", tree.root.toString()), null).stderr())
        .contains("skipped 0000:03:00.0").contains("boot display");
  }

  @Test
  void anOperatorOptsTheBmcDisplayBackIn() throws IOException {
    buildBmcTree();
    for (String item : List.of("0000:03:00.0", "03:00.0", "1a03:2000")) {
      DiscoveryReport r = ours(DiscoveryOptIn.parse(item));
      assertThat(r.gpus()).as(item).extracting(DiscoveredGpu::pciAddress)
          .containsExactly("0000:03:00.0", "0000:17:00.0", "0000:cb:00.0");
      assertThat(r.problems()).as(item).isEmpty();
      assertThat(byAddress(r).get("0000:03:00.0").driver()).isEqualTo("ast");
    }
    // the script's own option and environment variable
    assertThat(DiscoveryParser.parse(runner.run(SCRIPT, null,
        List.of("--root", tree.root.toString(), "--include=1a03:2000"), null).stdout()).gpus()).hasSize(3);
    assertThatThrownBy(() -> runner.run(SCRIPT, null, List.of("--root", tree.root.toString(), "--include", "ast"), null))
        .hasMessageContaining("'ast' is neither a PCI address");
    ProcessBuilder pb = new ProcessBuilder(SCRIPT.toString(), "--root", tree.root.toString());
    pb.environment().put(DiscoveryOptIn.ENVIRONMENT, "0000:03:00.0");
    Process p = pb.start();
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    try {
      assertThat(p.waitFor()).isZero();
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
    assertThat(DiscoveryParser.parse(out).gpus()).as("from the environment").hasSize(3);
  }

  /** A VGA-class and a display-class GPU for guests, the host's boot display and a Matrox BMC display. */
  void buildVgaAndDisplayTree() throws IOException {
    Path a6000 = tree.device("pci0000:00", "0000:00:01.0", "0000:01:00.0", "0x030000", "10de", "2230");
    tree.driver(a6000, "vfio-pci").iommuGroup(a6000, "14").attribute(a6000, "boot_vga", "0")
        .attribute(a6000, "numa_node", "0");
    Path audio = tree.device("pci0000:00", "0000:00:01.0", "0000:01:00.1", "0x040300", "10de", "1aef");
    tree.driver(audio, "vfio-pci").iommuGroup(audio, "14");
    Path mi100 = tree.device("pci0000:80", "0000:80:03.1", "0000:83:00.0", "0x038000", "1002", "738c");
    tree.driver(mi100, "vfio-pci").iommuGroup(mi100, "60").attribute(mi100, "numa_node", "1");
    Path console = tree.device("pci0000:00", "0000:00:03.0", "0000:05:00.0", "0x030000", "10de", "1ff2");
    tree.driver(console, "nouveau").iommuGroup(console, "16").attribute(console, "boot_vga", "1");
    Path matrox = tree.device("pci0000:00", "0000:00:1c.4", "0000:07:00.0", "0x030000", "102b", "0536");
    tree.iommuGroup(matrox, "17").attribute(matrox, "boot_vga", "0"); // no driver bound: known by its id
  }

  @Test
  void ourScriptReportsVgaAndDisplayClassGpusButNotTheBootDisplayOrTheMatrox() throws IOException {
    buildVgaAndDisplayTree();
    DiscoveryReport r = ours(DiscoveryOptIn.NONE);
    Map<String, DiscoveredGpu> g = byAddress(r);
    assertThat(g).containsOnlyKeys("0000:01:00.0", "0000:83:00.0");
    assertThat(g.get("0000:01:00.0").pciClass()).isEqualTo("VGA compatible controller [0300]");
    assertThat(g.get("0000:83:00.0").pciClass()).isEqualTo("Display controller [0380]");
    assertThat(g.values()).allSatisfy(x -> assertThat(x.fullPassthrough().enabled()).isTrue());
    golden("sysfs-vga-and-display", r);
    String stderr = runner.run(SCRIPT, null, List.of("--root", tree.root.toString()), null).stderr();
    assertThat(stderr).contains("skipped 0000:05:00.0").contains("boot display")
        .contains("skipped 0000:07:00.0").contains("BMC display (102b:0536)");
  }

  // ---- the agent's own rule for any script ----------------------------------------------------------

  @Test
  void aScriptThatListsTheBmcDisplayStillDoesNotHandItOut() throws IOException {
    String json = "{\"gpus\": ["
        + "{\"pci_address\": \"03:00.0\", \"vendor_id\": \"1a03\", \"device_id\": \"2000\", \"driver\": \"ast\","
        + " \"full_passthrough\": {\"enabled\": 1}},"
        + "{\"pci_address\": \"04:00.0\", \"vendor_id\": \"1234\", \"device_id\": \"1111\", \"driver\": \"bochs-drm\","
        + " \"full_passthrough\": {\"enabled\": 1}},"
        + "{\"pci_address\": \"17:00.0\", \"vendor_id\": \"10de\", \"device_id\": \"20b5\", \"driver\": \"vfio-pci\","
        + " \"full_passthrough\": {\"enabled\": 1}}]}";
    Path script = hook("cat <<'EOF'\n" + json + "\nEOF");
    DiscoveryReport r = new HostDiscoveryActivities(script, runner).discoverGpus();
    assertThat(r.gpus()).extracting(DiscoveredGpu::pciAddress).containsExactly("0000:17:00.0");
    assertThat(problems(r, Kind.LEFT_OUT)).extracting(DiscoveryProblem::address)
        .containsExactly("0000:03:00.0", "0000:04:00.0");
    assertThat(problems(r, Kind.LEFT_OUT).get(0).message()).contains("BMC display (1a03:2000)")
        .contains("--discovery-include 0000:03:00.0");
    assertThat(problems(r, Kind.LEFT_OUT).get(1).message()).contains("console driver bochs-drm");
    // opted in: reported, and the hook is told so too
    Path echoArgs = hook("echo \"$@\" > '" + tmp.resolve("args") + "'\ncat <<'EOF'\n" + json + "\nEOF");
    DiscoveryReport in = new HostDiscoveryActivities(echoArgs, runner, DiscoveryOptIn.parse("0000:03:00.0")).discoverGpus();
    assertThat(in.gpus()).extracting(DiscoveredGpu::pciAddress).containsExactly("0000:03:00.0", "0000:17:00.0");
    assertThat(Files.readString(tmp.resolve("args")).strip()).isEqualTo("--include 0000:03:00.0");
    new HostDiscoveryActivities(echoArgs, runner).discoverGpus();
    assertThat(Files.readString(tmp.resolve("args")).strip()).as("no opt-in, no argument").isEmpty();
  }

  @Test
  void theOptInIsAnAgentOption() {
    AgentOptions o = AgentOptions.parse(new String[] {"--host", "gpu-01", "--discovery-include", "0000:03:00.0, 102B:0536",
        "--discovery-include", "81:00.0"});
    assertThat(o.discoveryInclude().addresses()).containsExactlyInAnyOrder("0000:03:00.0", "0000:81:00.0");
    assertThat(o.discoveryInclude().ids()).containsExactly("102b:0536");
    assertThat(AgentOptions.parse(new String[] {"--host", "gpu-01"}).discoveryInclude().isEmpty()).isTrue();
    assertThatThrownBy(() -> AgentOptions.parse(new String[] {"--host", "gpu-01", "--discovery-include", "aspeed"}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("--discovery-include: 'aspeed' is neither a PCI address (0000:03:00.0) nor a vendor:device id"
            + " (1a03:2000)");
  }
}
