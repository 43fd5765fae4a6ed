package io.gpucloud.activities.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gpucloud.activities.discovery.LibvirtAddress;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PciAddressTest {
  static Optional<String> lenient(String s) {
    return PciAddress.tryParse(s).map(PciAddress::toString);
  }

  static Optional<String> strict(String s) {
    return PciAddress.tryParseStrict(s).map(PciAddress::toString);
  }

  @Test
  void fullFormIsLowerCaseWithDomainZeroWhenOmitted() {
    assertThat(lenient("0000:3B:00.0")).contains("0000:3b:00.0");
    assertThat(lenient("01:00.0")).contains("0000:01:00.0");
    assertThat(strict("01:00.0")).contains("0000:01:00.0");
    assertThat(strict("0000:AF:1F.7")).contains("0000:af:1f.7");
  }

  @Test
  void nonZeroAndWideDomainsAreKept() {
    assertThat(lenient("0001:af:1f.7")).contains("0001:af:1f.7");
    assertThat(lenient("10000:e1:00.0")).contains("10000:e1:00.0");
    assertThat(strict("10000:e1:00.0")).contains("10000:e1:00.0");
    assertThat(strict("00000001:81:00.0")).contains("0001:81:00.0");
  }

  @Test
  void lenientPadsSingleDigitsStrictDoesNot() {
    assertThat(lenient("1:2:3.4")).contains("0001:02:03.4");
    assertThat(lenient(" 5:0.1 ")).contains("0000:05:00.1");
    assertThat(strict("1:00.0")).isEmpty();
    assertThat(strict("000:01:00.0")).isEmpty();
  }

  @Test
  void rejectsMalformed() {
    for (String bad : new String[] {null, "", "01:00", "01:00.8", "01:20.0", "0000:100:00.0", "zz:00.0",
        "0000:01:00.0x", "b2c3d4e5-0000-4000-8000-000000000001", "123456789:00:00.0"}) {
      assertThat(lenient(bad)).as(bad).isEmpty();
      assertThat(strict(bad)).as(bad).isEmpty();
    }
    assertThatThrownBy(() -> PciAddress.parse("01:20.0")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'01:20.0'");
  }

  @Test
  void libvirtNamesAndAddresses() {
    PciAddress a = PciAddress.parse("0001:81:00.3");
    assertThat(a.nodeDeviceName()).isEqualTo("pci_0001_81_00_3");
    assertThat(a.libvirtAddress()).isEqualTo(new LibvirtAddress("0x0001", "0x81", "0x00", "0x3"));
    assertThat(PciAddress.parse("10000:e1:00.0").nodeDeviceName()).isEqualTo("pci_10000_e1_00_0");
    assertThat(PciAddress.parse("0000:02:00.0")).isGreaterThan(PciAddress.parse("0000:01:1f.7"));
  }
}
