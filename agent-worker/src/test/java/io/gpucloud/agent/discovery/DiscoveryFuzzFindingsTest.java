package io.gpucloud.agent.discovery;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpucloud.activities.discovery.DiscoveryProblem;
import io.gpucloud.activities.discovery.DiscoveryReport;
import io.gpucloud.activities.discovery.DiscoveryReportValidator;
import org.junit.jupiter.api.Test;

/** What DiscoveryParserFuzzTest found in the parser, one focused case each. */
class DiscoveryFuzzFindingsTest {
  static String gpu(String address, String usedBy) {
    return "{\"pci_address\": \"" + address + "\", \"vendor_id\": \"10de\", \"device_id\": \"20b5\","
        + " \"full_passthrough\": {\"enabled\": 1, \"used_by_vm\": " + usedBy + "}}";
  }

  /**
   * Found: a used_by_vm of a megabyte (or of 256 characters) was accepted, and the reconcile could not store it
   * (the error reason "in use by unknown VM '...'" is VARCHAR(1024); instances.vm_name is 255). Now the entry is
   * unusable, naming the field: the device is in use by something the inventory cannot name.
   */
  @Test
  void aUsedByVmLongerThanAVmNameMakesTheEntryUnusable() {
    String json = "{\"gpus\": [" + gpu("41:00.0", "\"" + "x".repeat(256) + "\"") + ", "
        + gpu("61:00.0", "\"" + "i".repeat(255) + "\"") + "]}";
    DiscoveryReport r = DiscoveryParser.parse(json);
    assertThat(r.gpus()).singleElement().satisfies(g -> {
      assertThat(g.pciAddress()).isEqualTo("0000:61:00.0");
      assertThat(g.fullPassthrough().usedByVm()).hasSize(255);
    });
    assertThat(r.problems()).singleElement().satisfies(p -> {
      assertThat(p.kind()).isEqualTo(DiscoveryProblem.Kind.UNUSABLE);
      assertThat(p.address()).isEqualTo("0000:41:00.0");
      assertThat(p.message()).startsWith("gpus[0].full_passthrough.used_by_vm: longer than 255 characters (256)");
    });
    assertThat(DiscoveryReportValidator.valid(r)).isTrue();
  }

  @Test
  void aVfOrMdevUsedByVmIsBoundedToo() {
    String json = "{\"gpus\": [{\"pci_address\": \"41:00.0\", \"vendor_id\": \"1002\", \"device_id\": \"7461\","
        + " \"full_passthrough\": {\"enabled\": 0}, \"vf_instances\": [{\"vf_pci_address\": \"41:02.0\","
        + " \"used_by_vm\": \"" + "v".repeat(1 << 20) + "\"}, {\"vf_pci_address\": \"41:02.1\"}]}]}";
    DiscoveryReport r = DiscoveryParser.parse(json);
    assertThat(r.gpus().get(0).vfInstances()).extracting(v -> v.address()).containsExactly("0000:41:02.1");
    assertThat(r.problems()).anySatisfy(p -> assertThat(p.message())
        .startsWith("gpus[0].vf_instances[0].used_by_vm: longer than 255 characters (1048576)"));
    assertThat(DiscoveryReportValidator.valid(r)).isTrue();
  }

  /** A vGPU type of a VF longer than a profile name (255) makes the VF unusable, as the reconcile would refuse it. */
  @Test
  void aVgpuTypeLongerThanAProfileNameMakesTheVfUnusable() {
    String json = "{\"gpus\": [{\"pci_address\": \"41:00.0\", \"vendor_id\": \"10de\", \"device_id\": \"26b9\","
        + " \"full_passthrough\": {\"enabled\": 0}, \"vf_instances\": [{\"vf_pci_address\": \"41:00.4\","
        + " \"vgpu_types\": [\"NVIDIA L40S-12Q\", \"" + "t".repeat(256) + "\"]}]}]}";
    DiscoveryReport r = DiscoveryParser.parse(json);
    assertThat(r.gpus().get(0).vfInstances()).isEmpty();
    assertThat(r.problems()).anySatisfy(p -> assertThat(p.message())
        .isEqualTo("gpus[0].vf_instances[0].vgpu_types[1]: longer than 255 characters"));
    assertThat(DiscoveryReportValidator.valid(r)).isTrue();
  }
}
