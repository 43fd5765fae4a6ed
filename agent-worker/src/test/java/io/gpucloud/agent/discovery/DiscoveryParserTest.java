package io.gpucloud.agent.discovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import io.gpucloud.activities.discovery.DiscoveredGpu;
import io.gpucloud.activities.discovery.DiscoveryProblem;
import io.gpucloud.activities.discovery.DiscoveryReport;
import io.gpucloud.activities.discovery.InvalidDiscoveryOutputException;
import io.gpucloud.activities.discovery.LibvirtAddress;
import io.gpucloud.activities.discovery.VirtualGpu;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.assertj.core.api.AbstractStringAssert;
import org.assertj.core.api.AbstractThrowableAssert;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DiscoveryParserTest {

  private static String resource(String name) throws IOException {
    try (InputStream in = DiscoveryParserTest.class.getResourceAsStream("/discovery/" + name)) {
      assertThat(in).as("resource %s", name).isNotNull();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  /** One GPU with the given extra JSON members, valid otherwise. */
  private static String oneGpu(String members) {
    return "{\"gpus\": [{\"pci_address\": \"01:00.0\", \"vendor_id\": \"10de\", \"device_id\": \"25a0\","
        + " \"full_passthrough\": {\"enabled\": 1}" + (members.isEmpty() ? "" : ", " + members) + "}]}";
  }

  private static AbstractThrowableAssert<?, ? extends Throwable> assertInvalid(String json) {
    return assertThatThrownBy(() -> DiscoveryParser.parse(json)).isInstanceOf(InvalidDiscoveryOutputException.class);
  }

  /** The message of the problem of one entry (the document as a whole is fine). */
  private static AbstractStringAssert<?> assertProblem(String json, DiscoveryProblem.Kind kind, String entry) {
    DiscoveryReport r = DiscoveryParser.parse(json);
    return assertThat(r.problems()).filteredOn(p -> p.kind() == kind && p.entry().equals(entry)).singleElement()
        .extracting(DiscoveryProblem::message, InstanceOfAssertFactories.STRING);
  }

  /** One entry left out as unusable, the rest of the document used. */
  private static AbstractStringAssert<?> assertUnusable(String json, String entry) {
    return assertProblem(json, DiscoveryProblem.Kind.UNUSABLE, entry);
  }

  // ---- valid ----------------------------------------------------------------------------------------

  @Test
  void passthroughSample() throws IOException {
    DiscoveryReport r = DiscoveryParser.parse(resource("passthrough.json"));
    assertThat(r.gpus()).hasSize(1);
    DiscoveredGpu g = r.gpus().get(0);
    assertThat(g.pciAddress()).isEqualTo("0000:01:00.0");
    assertThat(g.vendorId()).isEqualTo("10de");
    assertThat(g.deviceId()).isEqualTo("25a0");
    assertThat(g.vendor()).isEqualTo("NVIDIA Corporation");
    assertThat(g.device()).isEqualTo("GA107M [GeForce RTX 3050 Mobile]");
    assertThat(g.driver()).isEqualTo("vfio-pci");
    assertThat(g.pciClass()).isEqualTo("VGA compatible controller [0300]");
    assertThat(g.iommuGroup()).isEqualTo("14");
    assertThat(g.pciRoot()).isEqualTo("0000:00:01.0");
    assertThat(g.numaNode()).isZero();
    assertThat(g.fullPassthrough().enabled()).isTrue();
    assertThat(g.fullPassthrough().libvirtAddress()).isEqualTo(new LibvirtAddress("0x0000", "0x01", "0x00", "0x0"));
    assertThat(g.fullPassthrough().usedByVm()).isNull();
    assertThat(g.vgpuInstances()).isEmpty();
    assertThat(g.vfInstances()).isEmpty();
    assertThat(g.hostsVirtualFunctions()).isFalse();
    assertThat(g.maxInstances()).isNull();
  }

  @Test
  void mdevSample() throws IOException {
    DiscoveredGpu g = DiscoveryParser.parse(resource("mdev.json")).gpus().get(0);
    assertThat(g.pciAddress()).isEqualTo("0000:3b:00.0");
    assertThat(g.vendorId()).isEqualTo("10de");
    assertThat(g.fullPassthrough().enabled()).isFalse();
    assertThat(g.fullPassthrough().usedByVm()).isNull();
    assertThat(g.maxInstances()).isEqualTo(16);
    assertThat(g.videoRam()).isEqualTo(16384L);
    assertThat(g.vfInstances()).isEmpty();
    assertThat(g.vgpuInstances())
        .containsExactly(
            new VirtualGpu("4b20d080-1b54-4048-85b3-a6a62d165c01", "GRID T4-4Q", 4, 4096L, 4, 7680, 4320, null,
                "i-2-10-VM"),
            new VirtualGpu("5c9a1e2f-3b4d-4e5f-8a9b-0c1d2e3f4a5b", "GRID T4-4Q", 4, 4096L, 4, 7680, 4320, null,
                null));
    assertThat(g.hostsVirtualFunctions()).isTrue();
  }

  @Test
  void sriovSample() throws IOException {
    DiscoveredGpu g = DiscoveryParser.parse(resource("sriov.json")).gpus().get(0);
    assertThat(g.pciAddress()).isEqualTo("0000:c1:00.0");
    assertThat(g.numaNode()).isEqualTo(1);
    assertThat(g.sriovTotalVfs()).isEqualTo(4);
    assertThat(g.sriovNumVfs()).isEqualTo(2);
    assertThat(g.fullPassthrough().enabled()).isFalse();
    // derived from pci_address when the script leaves it out
    assertThat(g.fullPassthrough().libvirtAddress()).isEqualTo(new LibvirtAddress("0x0000", "0xc1", "0x00", "0x0"));
    assertThat(g.vgpuInstances()).isEmpty();
    assertThat(g.vfInstances()).extracting(VirtualGpu::address).containsExactly("0000:c1:02.0", "0000:c1:02.1");
    assertThat(g.vfInstances()).extracting(VirtualGpu::profileName).containsExactly("7462", "7462");
    assertThat(g.vfInstances()).extracting(VirtualGpu::usedByVm).containsExactly("i-5-20-VM", null);
    assertThat(g.vfInstances().get(1).libvirtAddress()).isEqualTo(new LibvirtAddress("0x0000", "0xc1", "0x02", "0x1"));
  }

  @Test
  void mixedSampleWithUnknownFields() throws IOException {
    DiscoveryReport r = DiscoveryParser.parse(resource("mixed.json"));
    assertThat(r.gpus()).extracting(DiscoveredGpu::pciAddress)
        .containsExactly("0000:01:00.0", "0000:3b:00.0", "0001:81:00.0", "0000:17:00.0");
    assertThat(r.gpus()).extracting(g -> g.fullPassthrough().enabled()).containsExactly(true, false, false, true);
    DiscoveredGpu first = r.gpus().get(0);
    assertThat(first.fullPassthrough().usedByVm()).isEqualTo("i-2-3-VM");
    assertThat(first.numaNode()).isEqualTo(-1);
    assertThat(first.vendor()).isNull();
    assertThat(first.sriovTotalVfs()).isZero();
    assertThat(r.gpus().get(1).vgpuInstances()).singleElement()
        .satisfies(v -> {
          assertThat(v.profileName()).isEqualTo("GRID T4-2Q");
          assertThat(v.maxInstances()).isNull();
          assertThat(v.libvirtAddress()).isNull();
        });
    DiscoveredGpu amd = r.gpus().get(2);
    assertThat(amd.fullPassthrough().libvirtAddress()).isEqualTo(new LibvirtAddress("0x0001", "0x81", "0x00", "0x0"));
    assertThat(amd.vfInstances()).singleElement().satisfies(v -> assertThat(v.address()).isEqualTo("0001:81:02.0"));
    DiscoveredGpu accel = r.gpus().get(3);
    assertThat(accel.numaNode()).isEqualTo(1);
    assertThat(accel.iommuGroup()).isEqualTo("7");
  }

  @ParameterizedTest
  @CsvSource({"1,true", "0,false", "true,true", "false,false", "'\"1\"',true", "'\"0\"',false",
      "'\"true\"',true", "'\"false\"',false", "'\"TRUE\"',true"})
  void enabledForms(String json, boolean expected) {
    DiscoveryReport r = DiscoveryParser.parse(
        "{\"gpus\": [{\"pci_address\": \"01:00.0\", \"vendor_id\": \"10de\", \"device_id\": \"25a0\","
            + " \"full_passthrough\": {\"enabled\": " + json + "}}]}");
    assertThat(r.gpus().get(0).fullPassthrough().enabled()).isEqualTo(expected);
  }

  @Test
  void emptyGpuListIsFine() {
    assertThat(DiscoveryParser.parse("{\"gpus\": []}").gpus()).isEmpty();
    assertThat(DiscoveryParser.parse("  {\"gpus\": [], \"other\": 1}\n").gpus()).isEmpty();
  }

  @Test
  void usedByVmNoneForms() {
    for (String v : new String[] {"null", "\"\"", "\"null\"", "\"  \""}) {
      DiscoveryReport r = DiscoveryParser.parse(
          "{\"gpus\": [{\"pci_address\": \"01:00.0\", \"vendor_id\": \"10de\", \"device_id\": \"25a0\","
              + " \"full_passthrough\": {\"enabled\": 1, \"used_by_vm\": " + v + "}}]}");
      assertThat(r.gpus().get(0).fullPassthrough().usedByVm()).as(v).isNull();
    }
  }

  // ---- invalid --------------------------------------------------------------------------------------

  @Test
  void notJson() {
    assertInvalid("gpu0: NVIDIA A100 at 01:00.0").hasMessageStartingWith("discovery output is not valid JSON");
    assertInvalid("{\"gpus\": [").hasMessageStartingWith("discovery output is not valid JSON");
    assertInvalid("{\"gpus\": []} trailing").hasMessageStartingWith("discovery output is not valid JSON");
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "   ", "\n\n"})
  void empty(String json) {
    assertInvalid(json).hasMessage("discovery output is empty");
  }

  @Test
  void nullIsEmpty() {
    assertInvalid(null).hasMessage("discovery output is empty");
  }

  @Test
  void topLevelNotAnObject() {
    assertInvalid("[]").hasMessageContaining("expected a JSON object with a \"gpus\" array, got an array");
    assertInvalid("42").hasMessageContaining("expected a JSON object");
  }

  @Test
  void missingGpus() {
    assertInvalid("{\"devices\": []}").hasMessageStartingWith("gpus: missing");
  }

  @Test
  void gpusNotAnArray() {
    assertInvalid("{\"gpus\": \"none\"}").hasMessage("gpus: expected an array, got string \"none\"");
    assertInvalid("{\"gpus\": {}}").hasMessage("gpus: expected an array, got an object");
    assertInvalid("{\"gpus\": null}").hasMessage("gpus: expected an array, got null");
  }

  @Test
  void gpuEntryNotAnObject() {
    assertInvalid("{\"gpus\": [\"01:00.0\"]}").hasMessage("gpus[0]: expected an object, got string \"01:00.0\"");
  }

  @Test
  void missingPciAddress() {
    assertInvalid("{\"gpus\": [{\"vendor_id\": \"10de\", \"device_id\": \"25a0\", \"full_passthrough\": {\"enabled\": 1}}]}")
        .hasMessage("gpus[0].pci_address: missing");
  }

  @Test
  void badPciAddress() {
    assertInvalid("{\"gpus\": [{\"pci_address\": \"01:00\", \"vendor_id\": \"10de\", \"device_id\": \"25a0\","
        + " \"full_passthrough\": {\"enabled\": 1}}]}")
        .hasMessageStartingWith("gpus[0].pci_address: expected a PCI address")
        .hasMessageEndingWith("got \"01:00\"");
  }

  @Test
  void badVendorIdNamesThePath() {
    String ok = "{\"pci_address\": \"0%d:00.0\", \"vendor_id\": \"10de\", \"device_id\": \"25a0\", \"full_passthrough\": {\"enabled\": 1}}";
    String json = "{\"gpus\": [" + String.format(ok, 1) + ", " + String.format(ok, 2) + ", "
        + "{\"pci_address\": \"03:00.0\", \"vendor_id\": \"zz\", \"device_id\": \"25a0\", \"full_passthrough\": {\"enabled\": 1}}]}";
    // one bad entry is left out with its reason; the other GPUs are reported (it used to fail the host)
    assertUnusable(json, "gpus[2]").isEqualTo("gpus[2].vendor_id: expected 4 hex digits, got \"zz\"");
    assertThat(DiscoveryParser.parse(json).gpus()).hasSize(2);
    assertInvalid(oneGpu("").replace("\"10de\"", "10")).hasMessage("gpus[0].vendor_id: expected a string, got number 10");
    assertInvalid(oneGpu("").replace("\"25a0\"", "\"25a00\""))
        .hasMessage("gpus[0].device_id: expected 4 hex digits, got \"25a00\"");
  }

  @Test
  void missingFullPassthroughOrEnabled() {
    assertInvalid(oneGpu("").replace(", \"full_passthrough\": {\"enabled\": 1}", ""))
        .hasMessageStartingWith("gpus[0].full_passthrough: missing");
    assertInvalid(oneGpu("").replace("{\"enabled\": 1}", "{}"))
        .hasMessageStartingWith("gpus[0].full_passthrough.enabled: missing");
    assertInvalid(oneGpu("").replace("{\"enabled\": 1}", "{\"enabled\": \"yes\"}"))
        .hasMessage("gpus[0].full_passthrough.enabled: expected 1, 0, true or false, got string \"yes\"");
    assertInvalid(oneGpu("").replace("{\"enabled\": 1}", "{\"enabled\": 2}"))
        .hasMessageContaining("expected 1, 0, true or false, got number 2");
    assertInvalid(oneGpu("").replace("{\"enabled\": 1}", "\"yes\""))
        .hasMessage("gpus[0].full_passthrough: expected an object, got string \"yes\"");
  }

  @Test
  void wrongTypeForNumaNode() {
    assertInvalid(oneGpu("\"numa_node\": {\"id\": 0}")).hasMessage("gpus[0].numa_node: expected an integer, got an object");
    assertInvalid(oneGpu("\"numa_node\": 1.5")).hasMessage("gpus[0].numa_node: expected an integer, got number 1.5");
    assertInvalid(oneGpu("\"numa_node\": \"zero\"")).hasMessage("gpus[0].numa_node: expected an integer, got string \"zero\"");
    assertInvalid(oneGpu("\"numa_node\": -2")).hasMessageContaining("gpus[0].numa_node: expected an integer from -1");
  }

  @Test
  void otherWrongTypes() {
    assertInvalid(oneGpu("\"sriov_totalvfs\": true")).hasMessage("gpus[0].sriov_totalvfs: expected an integer, got boolean true");
    assertInvalid(oneGpu("\"max_heads\": -2")).hasMessageStartingWith("gpus[0].max_heads: expected an integer from 0");
    assertInvalid(oneGpu("\"vgpu_instances\": \"none\"")).hasMessage("gpus[0].vgpu_instances: expected an array, got string \"none\"");
    assertInvalid(oneGpu("\"vf_instances\": {}")).hasMessage("gpus[0].vf_instances: expected an array, got an object");
    assertInvalid(oneGpu("\"vendor\": [\"NVIDIA\"]")).hasMessage("gpus[0].vendor: expected a string, got an array");
    assertUnusable(oneGpu("\"vgpu_instances\": [42]"), "gpus[0].vgpu_instances[0]")
        .isEqualTo("gpus[0].vgpu_instances[0]: expected an object, got number 42");
    // pci_address is authoritative: a libvirt_address that cannot be read is a warning, not an error
    assertProblem(oneGpu("").replace("{\"enabled\": 1}", "{\"enabled\": 1, \"libvirt_address\": \"0000:01:00.0\"}"),
        DiscoveryProblem.Kind.WARNING, "gpus[0]")
        .startsWith("gpus[0].full_passthrough.libvirt_address: expected an object, got string \"0000:01:00.0\"");
    assertProblem(oneGpu("").replace("{\"enabled\": 1}", "{\"enabled\": 1, \"libvirt_address\": {\"domain\": \"0x0000\", \"bus\": \"0x01\", \"slot\": \"0x00\"}}"),
        DiscoveryProblem.Kind.WARNING, "gpus[0]")
        .startsWith("gpus[0].full_passthrough.libvirt_address.function: missing");
  }

  @Test
  void vgpuMissingMdevUuid() {
    assertUnusable(oneGpu("\"vgpu_instances\": [{\"profile_name\": \"GRID T4-4Q\"}]"), "gpus[0].vgpu_instances[0]")
        .isEqualTo("gpus[0].vgpu_instances[0].mdev_uuid: missing");
    assertUnusable(oneGpu("\"vgpu_instances\": [{\"mdev_uuid\": \"not-a-uuid\", \"profile_name\": \"GRID T4-4Q\"}]"),
        "gpus[0].vgpu_instances[0]").startsWith("gpus[0].vgpu_instances[0].mdev_uuid: expected a UUID");
    assertUnusable(oneGpu("\"vgpu_instances\": [{\"mdev_uuid\": \"4b20d080-1b54-4048-85b3-a6a62d165c01\", \"profile_name\": \" \"}]"),
        "gpus[0].vgpu_instances[0]").isEqualTo("gpus[0].vgpu_instances[0].profile_name: must not be empty");
  }

  @Test
  void vfMissingFields() {
    assertUnusable(oneGpu("\"vf_instances\": [{\"vf_profile\": \"vf\"}]"), "gpus[0].vf_instances[0]")
        .isEqualTo("gpus[0].vf_instances[0].vf_pci_address: missing");
    // no vf_profile is fine (CloudStack's script prints "" on real hardware): the control plane names the VF
    assertThat(DiscoveryParser.parse(oneGpu("\"vf_instances\": [{\"vf_pci_address\": \"01:00.1\"}]")).gpus().get(0)
        .vfInstances()).singleElement().satisfies(v -> assertThat(v.profileName()).isNull());
  }

  @Test
  void duplicatePciAddresses() {
    String gpu = "{\"pci_address\": \"%s\", \"vendor_id\": \"10de\", \"device_id\": \"25a0\", \"full_passthrough\": {\"enabled\": 1}}";
    assertInvalid("{\"gpus\": [" + String.format(gpu, "01:00.0") + ", " + String.format(gpu, "0000:01:00.0") + "]}")
        .hasMessage("gpus[1].pci_address: duplicate address \"0000:01:00.0\", already reported at gpus[0].pci_address");
  }

  @Test
  void vfAddressClashingWithAGpu() {
    String json = "{\"gpus\": [{\"pci_address\": \"01:00.0\", \"vendor_id\": \"10de\", \"device_id\": \"25a0\","
        + " \"full_passthrough\": {\"enabled\": 0}, \"vf_instances\": [{\"vf_pci_address\": \"01:00.0\", \"vf_profile\": \"vf\"}]}]}";
    assertInvalid(json).hasMessage(
        "gpus[0].vf_instances[0].vf_pci_address: duplicate address \"0000:01:00.0\", already reported at gpus[0].pci_address");
  }

  @Test
  void duplicateMdevUuids() {
    String json = "{\"gpus\": ["
        + "{\"pci_address\": \"01:00.0\", \"vendor_id\": \"10de\", \"device_id\": \"25a0\", \"full_passthrough\": {\"enabled\": 0},"
        + " \"vgpu_instances\": [{\"mdev_uuid\": \"4b20d080-1b54-4048-85b3-a6a62d165c01\", \"profile_name\": \"a\"}]},"
        + "{\"pci_address\": \"02:00.0\", \"vendor_id\": \"10de\", \"device_id\": \"25a0\", \"full_passthrough\": {\"enabled\": 0},"
        + " \"vgpu_instances\": [{\"mdev_uuid\": \"4B20D080-1B54-4048-85B3-A6A62D165C01\", \"profile_name\": \"b\"}]}]}";
    assertInvalid(json).hasMessage("gpus[1].vgpu_instances[0].mdev_uuid: duplicate address"
        + " \"4b20d080-1b54-4048-85b3-a6a62d165c01\", already reported at gpus[0].vgpu_instances[0].mdev_uuid");
  }

  @Test
  void duplicateJsonKeysAreRejected() {
    assertInvalid("{\"gpus\": [], \"gpus\": [1]}").hasMessageStartingWith("discovery output is not valid JSON")
        .hasMessageContaining("gpus");
  }

  /** Ten megabytes of random characters from JSON's alphabet (seeded: the same text every run). */
  static String tenMegabytesOfRandomJsonCharacters() {
    Random random = new Random(42);
    String alphabet = "abcdefghijklmnopqrstuvwxyz0123456789 {}[]:,\"\\\n\t-+.ABCDEF";
    StringBuilder b = new StringBuilder(10 * 1024 * 1024);
    while (b.length() < 10 * 1024 * 1024) {
      b.append(alphabet.charAt(random.nextInt(alphabet.length())));
    }
    return b.toString();
  }

  /** Garbage that starts like JSON, with a 10 MB string inside. */
  static String tenMegabytesInsideJson() {
    return "{\"gpus\": [], \"x\": \"" + "y".repeat(10 * 1024 * 1024) + "\" garbage";
  }

  /** Rejected with a short message; how long that takes is measured in DiscoveryParserBench. */
  @Test
  void tenMegabytesOfGarbage() {
    String garbage = tenMegabytesOfRandomJsonCharacters();
    assertThatThrownBy(() -> DiscoveryParser.parse(garbage))
        .isInstanceOf(InvalidDiscoveryOutputException.class)
        .satisfies(e -> assertThat(e.getMessage()).hasSizeLessThan(600));
    String wrapped = tenMegabytesInsideJson();
    assertThatThrownBy(() -> DiscoveryParser.parse(wrapped))
        .isInstanceOf(InvalidDiscoveryOutputException.class)
        .hasMessageStartingWith("discovery output is not valid JSON")
        .satisfies(e -> assertThat(e.getMessage()).hasSizeLessThan(600));
  }

  // ---- per entry: unusable, sentinels, warnings (issue 10) ------------------------------------------

  @Test
  void onlyADocumentWithNoUsableGpuEntryFailsAsAWhole() {
    String bad = "{\"pci_address\": \"0%d:00.0\", \"vendor_id\": \"zz\", \"device_id\": \"25a0\","
        + " \"full_passthrough\": {\"enabled\": 1}}";
    assertInvalid("{\"gpus\": [" + String.format(bad, 1) + ", " + String.format(bad, 2) + "]}").hasMessage(
        "gpus[0].vendor_id: expected 4 hex digits, got \"zz\"; gpus[1].vendor_id: expected 4 hex digits, got \"zz\"");
    // a duplicate address fails the document even when one of the two entries is unusable anyway
    assertInvalid("{\"gpus\": [" + String.format(bad, 1) + ", " + oneGpu("").substring(10, oneGpu("").length() - 2)
        + "]}").hasMessageContaining("duplicate address \"0000:01:00.0\"");
  }

  @Test
  void anUnusableGpuTakesItsVfsAndVgpusWithIt() {
    String json = "{\"gpus\": [{\"pci_address\": \"c1:00.0\", \"vendor_id\": \"1002\", \"device_id\": \"7461\","
        + " \"full_passthrough\": {\"enabled\": 0}, \"numa_node\": \"zero\","
        + " \"vf_instances\": [{\"vf_pci_address\": \"c1:02.0\"}, {\"vf_pci_address\": \"bad\"}],"
        + " \"vgpu_instances\": [{\"mdev_uuid\": \"4b20d080-1b54-4048-85b3-a6a62d165c01\", \"profile_name\": \"x\"}]},"
        + oneGpu("").substring(10, oneGpu("").length() - 2) + "]}";
    DiscoveryReport r = DiscoveryParser.parse(json);
    assertThat(r.gpus()).extracting(DiscoveredGpu::pciAddress).containsExactly("0000:01:00.0");
    assertThat(r.problems()).extracting(DiscoveryProblem::kind, DiscoveryProblem::entry, DiscoveryProblem::address)
        .containsExactly(
            tuple(DiscoveryProblem.Kind.UNUSABLE, "gpus[0]", "0000:c1:00.0"),
            tuple(DiscoveryProblem.Kind.UNUSABLE, "gpus[0].vgpu_instances[0]",
                "4b20d080-1b54-4048-85b3-a6a62d165c01"),
            tuple(DiscoveryProblem.Kind.UNUSABLE, "gpus[0].vf_instances[0]", "0000:c1:02.0"));
    assertThat(r.problems().get(0).message()).isEqualTo("gpus[0].numa_node: expected an integer, got string \"zero\"");
    assertThat(r.problems().get(2).message())
        .isEqualTo("gpus[0].vf_instances[0]: left out with its GPU, whose entry gpus[0] is unusable");
  }

  @ParameterizedTest
  @ValueSource(strings = {"-1", "\"-1\"", "null", "\"null\"", "\"unknown\"", "\"UNKNOWN\"", "\"\"", "\"n/a\"", "\"none\""})
  void sentinelsAreUnknown(String sentinel) {
    DiscoveryReport r = DiscoveryParser.parse(oneGpu("\"numa_node\": " + sentinel + ", \"driver\": " + sentinel
        + ", \"iommu_group\": " + sentinel + ", \"pci_root\": " + sentinel + ", \"vendor\": " + sentinel
        + ", \"sriov_numvfs\": " + sentinel + ", \"max_heads\": " + sentinel + ", \"video_ram\": " + sentinel));
    DiscoveredGpu g = r.gpus().get(0);
    assertThat(r.problems()).as(sentinel).isEmpty();
    assertThat(g.numaNode()).isEqualTo(-1);
    assertThat(g.driver()).isNull();
    assertThat(g.iommuGroup()).isNull();
    assertThat(g.pciRoot()).isNull();
    assertThat(g.vendor()).isNull();
    assertThat(g.sriovNumVfs()).isZero();
    assertThat(g.maxHeads()).isNull();
    assertThat(g.videoRam()).isNull();
  }

  @Test
  void unreadableDescriptiveFieldsAreUnknownWithAWarning() {
    DiscoveryReport r = DiscoveryParser.parse(oneGpu("\"driver\": \"nvidia driver 550\", \"iommu_group\": \"group-7\","
        + " \"pci_root\": \"0000:0001:81:00.0\""));
    DiscoveredGpu g = r.gpus().get(0);
    assertThat(g.driver()).isNull();
    assertThat(g.iommuGroup()).isNull();
    assertThat(g.pciRoot()).isNull();
    assertThat(r.problems()).extracting(DiscoveryProblem::message).containsExactly(
        "gpus[0].driver: \"nvidia driver 550\" is not a driver name; taken as unknown",
        "gpus[0].iommu_group: \"group-7\" is not a group number; taken as unknown",
        "gpus[0].pci_root: \"0000:0001:81:00.0\" is not a PCI address; taken as unknown");
    assertThat(r.problems()).extracting(DiscoveryProblem::kind).containsOnly(DiscoveryProblem.Kind.WARNING);
    assertThat(r.problems()).extracting(DiscoveryProblem::address).containsOnly("0000:01:00.0");
    // pci_root in the short form is normalised
    assertThat(DiscoveryParser.parse(oneGpu("\"pci_root\": \"00:01.0\"")).gpus().get(0).pciRoot()).isEqualTo("0000:00:01.0");
  }

  @Test
  void pciAddressIsAuthoritativeOverAnInconsistentLibvirtAddress() {
    DiscoveryReport r = DiscoveryParser.parse(oneGpu("").replace("{\"enabled\": 1}",
        "{\"enabled\": 1, \"libvirt_address\": {\"domain\": \"0x0000\", \"bus\": \"0x02\", \"slot\": \"0x00\", \"function\": \"0x0\"}}"));
    assertThat(r.gpus().get(0).fullPassthrough().libvirtAddress())
        .isEqualTo(new LibvirtAddress("0x0000", "0x01", "0x00", "0x0"));
    assertThat(r.problems()).singleElement().satisfies(p -> {
      assertThat(p.kind()).isEqualTo(DiscoveryProblem.Kind.WARNING);
      assertThat(p.message()).isEqualTo("gpus[0].full_passthrough.libvirt_address: names 0000:02:00.0, not"
          + " 0000:01:00.0 of pci_address; the address of pci_address is used");
    });
  }

  @Test
  void aGpuWithVfsOrVgpusIsNeverOfferedWhole() {
    DiscoveryReport r = DiscoveryParser.parse(oneGpu("\"vf_instances\": [{\"vf_pci_address\": \"01:00.1\", \"vf_profile\": \"\"}]"));
    assertThat(r.gpus().get(0).fullPassthrough().enabled()).isFalse();
    assertThat(r.problems()).singleElement().satisfies(p -> assertThat(p.message())
        .isEqualTo("gpus[0].full_passthrough.enabled: 1, but the GPU hosts vGPUs or VFs: it is never offered whole"));
    assertThat(DiscoveryParser.parse(oneGpu("\"sriov_numvfs\": 4")).gpus().get(0).fullPassthrough().enabled()).isFalse();
  }

  @Test
  void aVgpuNamesTheVfItSitsOn() {
    String vfs = "\"vf_instances\": [{\"vf_pci_address\": \"0001:81:00.4\", \"vf_profile\": \"\", \"driver\": \"nvidia\","
        + " \"iommu_group\": 91, \"vgpu_types\": [\"NVIDIA A100-4C\", \" \"]}]";
    String la = "\"libvirt_address\": {\"domain\": \"0x0000\", \"bus\": \"0x81\", \"slot\": \"0x00\", \"function\": \"0x4\"}";
    String json = "{\"gpus\": [{\"pci_address\": \"0001:81:00.0\", \"vendor_id\": \"10de\", \"device_id\": \"20b5\","
        + " \"full_passthrough\": {\"enabled\": 0}, " + vfs + ", \"vgpu_instances\": ["
        // CloudStack: the libvirt address of the VF (its domain written as 0x0000 whatever it is)
        + "{\"mdev_uuid\": \"4b20d080-1b54-4048-85b3-a6a62d165c01\", \"profile_name\": \"NVIDIA A100-4C\", " + la + "},"
        // our script: parent_pci_address
        + "{\"mdev_uuid\": \"5c9a1e2f-3b4d-4e5f-8a9b-0c1d2e3f4a5b\", \"profile_name\": \"NVIDIA A100-4C\","
        + " \"parent_pci_address\": \"0001:81:00.4\"},"
        // on the GPU itself, and one pointing nowhere
        + "{\"mdev_uuid\": \"6d1f0b2e-0000-4000-8000-000000000001\", \"profile_name\": \"NVIDIA A100-4C\","
        + " \"parent_pci_address\": \"0001:81:00.0\"},"
        + "{\"mdev_uuid\": \"6d1f0b2e-0000-4000-8000-000000000002\", \"profile_name\": \"NVIDIA A100-4C\","
        + " \"parent_pci_address\": \"0000:99:00.1\"}]}]}";
    DiscoveryReport r = DiscoveryParser.parse(json);
    DiscoveredGpu g = r.gpus().get(0);
    assertThat(g.vgpuInstances()).extracting(VirtualGpu::parentAddress)
        .containsExactly("0001:81:00.4", "0001:81:00.4", null, null);
    VirtualGpu vf = g.vfInstances().get(0);
    assertThat(vf.driver()).isEqualTo("nvidia");
    assertThat(vf.iommuGroup()).isEqualTo("91");
    assertThat(vf.vgpuTypes()).containsExactly("NVIDIA A100-4C");
    assertThat(vf.profileName()).isNull();
    assertThat(r.problems()).singleElement().satisfies(p -> assertThat(p.message()).isEqualTo(
        "gpus[0].vgpu_instances[3]: created on 0000:99:00.1, which is neither this GPU nor one of its VFs;"
            + " taken as the GPU itself"));
  }
}
