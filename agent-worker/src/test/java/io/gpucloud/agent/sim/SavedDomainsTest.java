package io.gpucloud.agent.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.libvirt.Connect;
import org.libvirt.Domain;

class SavedDomainsTest {
  static final String U1 = "6f1e2a44-1b2c-4d3e-8f90-0123456789ab";
  static final String U2 = "7f1e2a44-1b2c-4d3e-8f90-0123456789ab";

  @TempDir Path tmp;

  static String domain(String name, String uuid) {
    return "<domain type='kvm'>\n  <name>" + name + "</name>\n  <uuid>" + uuid + "</uuid>\n"
        + "  <memory unit='MiB'>512</memory>\n  <os>\n    <type arch='x86_64' machine='q35'>hvm</type>\n  </os>\n"
        + "</domain>\n";
  }

  @Test
  void theRunStateGoesInTheTestDriversNamespaceOnce() {
    String once = SavedDomains.withRunstate(domain("a", U1), 5);
    assertThat(once).startsWith("<domain ").contains(" xmlns:test=\"" + SavedDomains.TEST_NAMESPACE + "\"")
        .contains(" type=\"kvm\"").contains("<name>a</name>")
        .endsWith("  </os>\n  <test:runstate>5</test:runstate>\n</domain>");
    String twice = SavedDomains.withRunstate(once, 1);
    assertThat(twice).isEqualTo(once.replace("<test:runstate>5<", "<test:runstate>1<"));
  }

  /** The test driver defines the document's domains running or shut off as their run state says. */
  @Test
  void libvirtStartsTheDomainsOfTheDocumentInTheirState() throws Exception {
    HostSpec spec = HostSpecLoader.load(HostSpecLoaderTest.H1);
    String uri = TestDriverXml.write(spec, List.of(SavedDomains.withRunstate(domain("up", U1), 1),
        SavedDomains.withRunstate(domain("down", U2), 5)), tmp.resolve("H1.xml"));
    Connect c = new Connect(uri, false);
    try {
      assertThat(c.domainLookupByName("up").isActive()).isEqualTo(1);
      assertThat(c.domainLookupByName("down").isActive()).isEqualTo(0);
      assertThat(c.domainLookupByName("down").getUUIDString()).isEqualTo(U2);
      assertThat(c.domainLookupByName("down").isPersistent()).isEqualTo(1);
      assertThat(c.listDevices("pci")).contains("pci_0000_00_01_0"); // the spec's devices are still there
    } finally {
      c.close();
    }
    assertThat(TestDriverXml.generate(spec, List.of())).isEqualTo(TestDriverXml.generate(spec));
  }

  /** What the journal saves on define, start and stop, and forgets on undefine, makes the next document. */
  @Test
  void theJournalFollowsTheDomainAndTheDocumentCarriesIt() throws Exception {
    HostSpec spec = HostSpecLoader.load(HostSpecLoaderTest.H1);
    Path state = tmp.resolve("state");
    SavedDomains saved = new SavedDomains(state);
    Connect c = new Connect(SavedDomains.writeNodeDocument(spec, state), false);
    try {
      Domain d = c.domainDefineXML(domain("vm", U1));
      saved.changed(d);
      assertThat(Files.readString(state.resolve("domains").resolve(U1 + ".xml"))).contains("<test:runstate>5<");
      d.create();
      saved.changed(d);
      assertThat(saved.load()).singleElement().asString().contains("<test:runstate>1<").contains("<name>vm</name>");
      d.destroy();
      d.undefine();
      saved.undefined(d);
      assertThat(saved.load()).isEmpty();
    } finally {
      c.close();
    }
  }

  @Test
  void aFileThatIsNotADomainIsSkippedAndAFailedSaveIsNotFatal() throws Exception {
    Path state = tmp.resolve("state");
    Files.createDirectories(state.resolve("domains"));
    Files.writeString(state.resolve("domains").resolve(U1 + ".xml"), "<dom");
    Files.writeString(state.resolve("domains").resolve(U2 + ".xml"), "<network/>");
    assertThat(new SavedDomains(state).load()).isEmpty();

    Path blocked = Files.writeString(tmp.resolve("a-file"), "");
    SavedDomains unwritable = new SavedDomains(blocked); // <file>/domains cannot be made
    Connect c = new Connect(TestDriverXml.write(HostSpecLoader.load(HostSpecLoaderTest.H1), tmp.resolve("H1.xml")),
        false);
    try {
      unwritable.changed(c.domainDefineXML(domain("vm", U1))); // logged, not thrown
    } finally {
      c.close();
    }
  }
}
