package io.gpucloud.activities.discovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * What the discovery fuzz found the reconcile would have done with a report it did not check (each a focused
 * case of DiscoveryReconcileFuzzTest): now refused, naming the field, before anything is written.
 */
class DiscoveryReportValidatorTest {
  static final String MDEV = "3f1c9a52-6b0e-4d7a-9c3e-5a2b8f0d4e61";

  static VirtualGpu vf(String address) {
    return new VirtualGpu(address, null, null, null, null, null, null, null, null, "vfio-pci", "47", List.of(), null);
  }

  static VirtualGpu mdev(String uuid, String profile, String parent) {
    return new VirtualGpu(uuid, profile, 4, 12288L, 4, 7680, 4320, null, null, null, null, List.of(), parent);
  }

  static DiscoveredGpu gpu(String address, String vendorId, String deviceId, String vendor, FullPassthrough fp,
      List<VirtualGpu> mdevs, List<VirtualGpu> vfs) {
    return new DiscoveredGpu(address, vendorId, deviceId, vendor, "AD102GL [L40S]", "nvidia", "3D controller",
        "46", "0000:40:01.1", 0, 32, 32, fp, null, null, null, null, null, mdevs, vfs);
  }

  static DiscoveredGpu good() {
    return gpu("0000:41:00.0", "10de", "26b9", "NVIDIA Corporation", new FullPassthrough(false, null, null),
        List.of(mdev(MDEV, "NVIDIA L40S-12Q", "0000:41:00.4")), List.of(vf("0000:41:00.4")));
  }

  static void refused(DiscoveredGpu g, String message) {
    assertThatThrownBy(() -> DiscoveryReportValidator.validate(new DiscoveryReport(List.of(g))))
        .isInstanceOf(InvalidDiscoveryOutputException.class).hasMessageContaining(message);
  }

  static DiscoveredGpu with(UnaryOperator<DiscoveredGpu> f) {
    return f.apply(good());
  }

  @Test
  void theParsersFormIsAccepted() {
    DiscoveryReportValidator.validate(new DiscoveryReport(List.of(good()), List.of(new DiscoveryProblem(
        DiscoveryProblem.Kind.UNUSABLE, "gpus[1]", "0000:61:00.0", "gpus[1].vendor_id: expected 4 hex digits"))));
  }

  /** Found: a device_id longer than CHAR(4) was cut by INSERT IGNORE and the card never found (IllegalState). */
  @Test
  void vendorAndDeviceIdsAreFourLowerCaseHexDigits() {
    refused(gpu("0000:41:00.0", "10de", "26b90", null, new FullPassthrough(true, null, null), List.of(), List.of()),
        "discovery report gpus[0].device_id: expected 4 lower-case hex digits, got \"26b90\"");
    refused(gpu("0000:41:00.0", null, "26b9", null, new FullPassthrough(true, null, null), List.of(), List.of()),
        "gpus[0].vendor_id");
  }

  /** Found: NullPointerException in the reconcile. */
  @Test
  void fullPassthroughIsRequired() {
    refused(gpu("0000:41:00.0", "10de", "26b9", null, null, List.of(), List.of()),
        "gpus[0].full_passthrough: missing");
  }

  /** Found: "Column 'bus_address' cannot be null", "Data too long for column 'bus_address'". */
  @Test
  void addressesAreInTheNormalisedForm() {
    refused(gpu(null, "10de", "26b9", null, new FullPassthrough(true, null, null), List.of(), List.of()),
        "gpus[0].pci_address: missing");
    refused(gpu("z".repeat(1025), "10de", "26b9", null, new FullPassthrough(true, null, null), List.of(),
        List.of()), "gpus[0].pci_address: expected a normalised PCI address");
    refused(gpu("0000:4A:00.0", "10de", "26b9", null, new FullPassthrough(true, null, null), List.of(), List.of()),
        "\"0000:4A:00.0\"");
    refused(gpu("0000:41:00.0", "10de", "26b9", null, new FullPassthrough(false, null, null),
        List.of(mdev(MDEV.toUpperCase(), "p", null)), List.of()), "gpus[0].vgpu_instances[0].mdev_uuid");
  }

  /** Found: Duplicate entry for key 'uq_device_host_address'. */
  @Test
  void anAddressIsReportedOnce() {
    assertThatThrownBy(() -> DiscoveryReportValidator.validate(new DiscoveryReport(List.of(good(),
        gpu("0000:61:00.0", "10de", "26b9", null, new FullPassthrough(false, null, null), List.of(),
            List.of(vf("0000:41:00.4")))))))
        .hasMessageContaining("gpus[1].vf_instances[0].vf_pci_address: duplicate address \"0000:41:00.4\","
            + " already reported at gpus[0].vf_instances[0].vf_pci_address");
  }

  @Test
  void anMdevSitsOnAVfOfItsOwnGpu() {
    refused(gpu("0000:41:00.0", "10de", "26b9", null, new FullPassthrough(false, null, null),
        List.of(mdev(MDEV, "p", "0000:61:00.4")), List.of(vf("0000:41:00.4"))),
        "gpus[0].vgpu_instances[0].parent_pci_address: \"0000:61:00.4\" is not a VF of 0000:41:00.0");
  }

  /** Found: a profile name over VARCHAR(255) was cut by INSERT IGNORE and the profile never found. */
  @Test
  void namesFitTheirColumns() {
    refused(gpu("0000:41:00.0", "10de", "26b9", null, new FullPassthrough(false, null, null),
        List.of(mdev(MDEV, "y".repeat(256), null)), List.of()),
        "gpus[0].vgpu_instances[0].profile_name: longer than 255 characters (256)");
    refused(gpu("0000:41:00.0", "10de", "26b9", "v".repeat(256), new FullPassthrough(true, null, null), List.of(),
        List.of()), "gpus[0].vendor: longer than 255 characters");
    refused(gpu("0000:41:00.0", "10de", "26b9", null, new FullPassthrough(true, null, "i".repeat(256)), List.of(),
        List.of()), "gpus[0].full_passthrough.used_by_vm: expected a VM name of 1 to 255 characters");
    assertThat(DiscoveryReportValidator.valid(new DiscoveryReport(List.of(gpu("0000:41:00.0", "10de", "26b9",
        "é".repeat(255), new FullPassthrough(true, null, "i".repeat(255)), List.of(), List.of()))))).isTrue();
  }

  @Test
  void numbersAreNotNegative() {
    refused(new DiscoveredGpu("0000:41:00.0", "10de", "26b9", null, null, null, null, null, null, -2, 0, 0,
        new FullPassthrough(true, null, null), null, null, null, null, null, List.of(), List.of()),
        "gpus[0].numa_node: expected -1 (unknown) or more, got -2");
    refused(new DiscoveredGpu("0000:41:00.0", "10de", "26b9", null, null, null, null, null, null, 0, 0, 0,
        new FullPassthrough(true, null, null), null, Long.MIN_VALUE, null, null, null, List.of(), List.of()),
        "gpus[0].video_ram: expected 0 or more");
  }
}
