package io.gpucloud.workflows;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class StepsTest {
  @Test
  void aRunningDomainIsTheOneWithAnId() {
    assertThat(Steps.domainActive("<domain type='kvm' id='12'>\n  <name>i-1</name>\n</domain>")).isTrue();
    assertThat(Steps.domainActive("<?xml version=\"1.0\"?>\n<domain type=\"test\" id=\"1\"><name>i-1</name></domain>"))
        .isTrue();
    assertThat(Steps.domainActive("<domain type='kvm'>\n  <name>i-1</name>\n  <uuid>x</uuid>\n</domain>")).isFalse();
    assertThat(Steps.domainActive("<domain type='kvm'><name>i-1</name><devices><disk id='3'/></devices></domain>"))
        .isFalse();
    assertThat(Steps.domainActive(null)).isFalse();
  }
}
