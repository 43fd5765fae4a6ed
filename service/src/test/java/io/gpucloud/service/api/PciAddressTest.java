package io.gpucloud.service.api;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PciAddressTest {
  @Test
  void fullAddressIsLowerCased() {
    assertThat(PciAddress.normalise("0000:3B:00.0")).contains("0000:3b:00.0");
  }

  @Test
  void shortAddressGetsDomainZero() {
    assertThat(PciAddress.normalise("01:00.0")).contains("0000:01:00.0");
  }

  @Test
  void nonZeroDomainIsKept() {
    assertThat(PciAddress.normalise("0001:af:1f.7")).contains("0001:af:1f.7");
    assertThat(PciAddress.normalise("10000:e1:00.0")).contains("10000:e1:00.0");
  }

  @Test
  void singleDigitsArePadded() {
    assertThat(PciAddress.normalise("1:2:3.4")).contains("0001:02:03.4");
    assertThat(PciAddress.normalise(" 5:0.1 ")).contains("0000:05:00.1");
  }

  @Test
  void rejectsMalformed() {
    assertThat(PciAddress.normalise(null)).isEmpty();
    assertThat(PciAddress.normalise("")).isEmpty();
    assertThat(PciAddress.normalise("01:00")).isEmpty();
    assertThat(PciAddress.normalise("01:00.8")).isEmpty(); // function is 0-7
    assertThat(PciAddress.normalise("01:20.0")).isEmpty(); // slot is 0-1f
    assertThat(PciAddress.normalise("0000:100:00.0")).isEmpty();
    assertThat(PciAddress.normalise("zz:00.0")).isEmpty();
    assertThat(PciAddress.normalise("0000:01:00.0x")).isEmpty();
    assertThat(PciAddress.normalise("b2c3d4e5-0000-4000-8000-000000000001")).isEmpty();
  }
}
