package io.gpucloud.agent.domain;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpucloud.activities.instance.AssignedDevice;
import io.gpucloud.activities.instance.InstanceSpec;
import io.gpucloud.activities.instance.TemplateImage;
import io.gpucloud.activities.model.DeviceType;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The builder's output, byte for byte, for specs that together use every element it writes. The expected
 * documents in {@code src/test/resources/domain-xml/} were captured from the builder before it was split into
 * per-element parts; a change in any of them is a change in what every host defines. Deliberate changes since:
 * the disk is the instance's own root disk (a qcow2 overlay in the host's pool), no longer the template image; and
 * {@code <vcpu placement='auto'>} (numad) is gone: placement is static everywhere, so
 * {@code mdevs-without-display-auto-placement} became {@code mdevs-without-display-node-cpus-unknown}.
 * Regenerate with {@code -DcaptureDomainXml=DIR} and review the diff.
 */
class DomainXmlBuilderExactOutputTest {
  static final String ID = "6f1e2a44-1b2c-4d3e-8f90-0123456789ab";
  static final String DISK = "/var/lib/libvirt/images/root-" + ID + ".qcow2";
  static final TemplateImage TEMPLATE = new TemplateImage("ubuntu", "Ubuntu 22.04", "/var/lib/images/u.qcow2", 20);

  static AssignedDevice pci(String address, int node) {
    return new AssignedDevice("d-" + address, address, DeviceType.PCI, "passthrough", null, node);
  }

  static AssignedDevice mdev(String uuid, String parent, int node) {
    return new AssignedDevice("m-" + uuid, uuid, DeviceType.MDEV, "sim-8q", parent, node);
  }

  static Stream<Arguments> cases() {
    HostTopology twoNodes = new HostTopology(Map.of(0, "0-7", 1, "8-15"));
    return Stream.of(
        Arguments.of("no-devices", new InstanceSpec(ID, "i-2-3-VM", "H1", 2, 2000, 2048, false, TEMPLATE, List.of()),
            HostTopology.empty(), DISK),
        Arguments.of("display-mdevs-and-pci-pinned", new InstanceSpec(ID, "i-2-4-VM", "H1", 4, 2000, 8192, true,
            TEMPLATE, List.of(mdev("11111111-2222-3333-4444-555555555555", "0001:81:00.0", 1),
                mdev(" AAAAAAAA-BBBB-CCCC-DDDD-EEEEEEEEEEEE ", "0001:81:00.0", 1), pci("1:82:1f.3", 1))), twoNodes,
            DISK),
        Arguments.of("mdevs-without-display-node-cpus-unknown", new InstanceSpec(ID, "i-2-5-VM", "H1", 1, 2000,
            1024, false, TEMPLATE, List.of(mdev("11111111-2222-3333-4444-555555555555", "0000:00:05.0", 0))),
            HostTopology.empty(), DISK),
        Arguments.of("display-with-pci-only-spread", new InstanceSpec(ID, "i-2-6-VM", "H1", 8, 2000, 16384, true,
            TEMPLATE, List.of(pci("0000:41:00.0", 0), pci("10000:c1:00.1", 1))), twoNodes, DISK),
        Arguments.of("escaped-name-and-path", new InstanceSpec(ID, "vm<&>'\"x", "H1", 1, 1000, 512, false,
            new TemplateImage("t", "o", "/img/t.qcow2", 1), List.of()), twoNodes, "/pool/a'b\"<c>&.qcow2"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void outputIsExactlyTheCapturedDocument(String name, InstanceSpec spec, HostTopology topology, String disk)
      throws IOException {
    String xml = DomainXmlBuilder.build(spec, topology, disk);
    String capture = System.getProperty("captureDomainXml");
    if (capture != null) {
      Files.writeString(Path.of(capture).resolve(name + ".xml"), xml, StandardCharsets.UTF_8);
    }
    assertThat(xml).isEqualTo(expected(name));
  }

  static String expected(String name) throws IOException {
    try (InputStream in = DomainXmlBuilderExactOutputTest.class.getResourceAsStream("/domain-xml/" + name + ".xml")) {
      assertThat(in).as("expected document %s", name).isNotNull();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
