package io.gpucloud.agent.domain;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class DomainXmlValidatorTest {
  static final String ID = "6f1e2a44-1b2c-4d3e-8f90-0123456789ab";

  static String domain(String name, String uuid, String extra) {
    return "<domain type='kvm'><name>" + name + "</name><uuid>" + uuid + "</uuid>" + extra + "</domain>";
  }

  @Test
  void acceptsTheDomainWithAddedElements() {
    assertThatCode(() -> DomainXmlValidator.validate(
        "<?xml version='1.0'?>\n" + domain("vm", ID, "<description>hi</description>") + "\n", "vm", ID))
        .doesNotThrowAnyException();
    assertThatCode(() -> DomainXmlValidator.validate(domain(" vm ", ID.toUpperCase(), ""), "vm", ID))
        .doesNotThrowAnyException();
  }

  @Test
  void rejectsNonXml() {
    assertThatThrownBy(() -> DomainXmlValidator.validate("hello world", "vm", ID))
        .isInstanceOf(InvalidDomainXmlException.class).hasMessageContaining("not well-formed");
    assertThatThrownBy(() -> DomainXmlValidator.validate("<domain><name>vm</name>", "vm", ID))
        .isInstanceOf(InvalidDomainXmlException.class).hasMessageContaining("not well-formed");
    assertThatThrownBy(() -> DomainXmlValidator.validate("", "vm", ID))
        .isInstanceOf(InvalidDomainXmlException.class).hasMessageContaining("empty");
  }

  @Test
  void rejectsOtherRoot() {
    assertThatThrownBy(() -> DomainXmlValidator.validate("<network><name>vm</name></network>", "vm", ID))
        .isInstanceOf(InvalidDomainXmlException.class).hasMessageContaining("<network>");
  }

  @Test
  void rejectsRenameAndNewUuid() {
    assertThatThrownBy(() -> DomainXmlValidator.validate(domain("other", ID, ""), "vm", ID))
        .isInstanceOf(InvalidDomainXmlException.class).hasMessageContaining("'other'").hasMessageContaining("rename");
    assertThatThrownBy(() -> DomainXmlValidator.validate(
        domain("vm", "00000000-0000-0000-0000-000000000000", ""), "vm", ID))
        .isInstanceOf(InvalidDomainXmlException.class).hasMessageContaining("uuid");
    assertThatThrownBy(() -> DomainXmlValidator.validate("<domain><uuid>" + ID + "</uuid></domain>", "vm", ID))
        .isInstanceOf(InvalidDomainXmlException.class).hasMessageContaining("no <name>");
    assertThatThrownBy(() -> DomainXmlValidator.validate(
        "<domain><name>vm</name><name>vm</name><uuid>" + ID + "</uuid></domain>", "vm", ID))
        .isInstanceOf(InvalidDomainXmlException.class).hasMessageContaining("2 <name>");
  }

  @Test
  void rejectsDoctypeAndEntities() {
    String xxe = "<?xml version='1.0'?><!DOCTYPE domain [<!ENTITY x SYSTEM 'file:///etc/passwd'>]>"
        + domain("vm", ID, "<description>&x;</description>");
    assertThatThrownBy(() -> DomainXmlValidator.validate(xxe, "vm", ID))
        .isInstanceOf(InvalidDomainXmlException.class).hasMessageContaining("DOCTYPE");
  }
}
