package io.gpucloud.agent.sim;

import io.gpucloud.agent.domain.CanonicalUuid;
import io.gpucloud.agent.domain.SafeXml;
import io.gpucloud.agent.instance.DomainJournal;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import javax.xml.transform.OutputKeys;
import javax.xml.transform.Transformer;
import javax.xml.transform.TransformerFactory;
import javax.xml.transform.dom.DOMSource;
import javax.xml.transform.stream.StreamResult;
import org.libvirt.Domain;
import org.libvirt.LibvirtException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.xml.sax.InputSource;

/**
 * The domains of a simulated host, kept across agent restarts as a real host's libvirt keeps them: one file per
 * domain, {@code <stateDir>/domains/<uuid>.xml}, written whenever the agent defines, starts or stops the domain and
 * deleted when it undefines it ({@link DomainJournal}); {@link #writeNodeDocument} puts them into the regenerated
 * test-driver document when the agent starts.
 *
 * <p>A file holds the domain's persistent definition as libvirt reports it ({@code VIR_DOMAIN_XML_INACTIVE}) with
 * its state in the test driver's namespace, which is how the test driver's document marks a domain running or shut
 * off (checked with libvirt 9.0: without it a domain in the document starts running):
 *
 * <pre>
 * &lt;domain type='kvm' xmlns:test='http://libvirt.org/schemas/domain/test/1.0'&gt;
 *   ...
 *   &lt;test:runstate&gt;5&lt;/test:runstate&gt;   (virDomainState: 1 running, 5 shut off)
 * &lt;/domain&gt;
 * </pre>
 *
 * <p>Files are replaced atomically. What happens between a libvirt call and its file (an agent killed right then)
 * is lost at the next start, a window of one file write; a failed write is logged, not fatal.
 */
public final class SavedDomains implements DomainJournal {
  private static final Logger LOG = LoggerFactory.getLogger(SavedDomains.class);

  /** The libvirt test driver's domain namespace. */
  public static final String TEST_NAMESPACE = "http://libvirt.org/schemas/domain/test/1.0";
  /** The node document of a simulated host in its state directory. */
  public static final String NODE_DOCUMENT = "libvirt-node.xml";

  private final Path dir;

  /** The domains kept in {@code <stateDir>/domains}. */
  public SavedDomains(Path stateDir) {
    this.dir = Objects.requireNonNull(stateDir, "stateDir").resolve("domains");
  }

  /**
   * Writes the test-driver document of the simulated host {@code spec} into {@code stateDir} ({@value
   * #NODE_DOCUMENT}): its devices from the spec and the domains saved there. Returns the URI that opens it.
   */
  public static String writeNodeDocument(HostSpec spec, Path stateDir) {
    return TestDriverXml.write(spec, new SavedDomains(stateDir).load(), stateDir.resolve(NODE_DOCUMENT));
  }

  @Override
  public void changed(Domain domain) {
    try {
      String uuid = domain.getUUIDString();
      String xml = domain.getXMLDesc(Domain.XMLFlags.INACTIVE);
      int runstate = domain.getInfo().state.ordinal(); // DomainState is declared in virDomainState's order
      save(uuid, withRunstate(xml, runstate));
    } catch (LibvirtException | RuntimeException e) {
      LOG.warn("cannot save the simulated host's domain for its next start: {}", e.getMessage());
    }
  }

  @Override
  public void undefined(Domain domain) {
    try {
      Files.deleteIfExists(file(domain.getUUIDString()));
    } catch (LibvirtException | IOException | RuntimeException e) {
      LOG.warn("cannot forget the simulated host's undefined domain: {}", e.getMessage());
    }
  }

  /**
   * The saved domains in uuid order, each a {@code <domain>} element for the node document. A file that is not a
   * domain document is skipped with a warning, so one bad file cannot keep the host from starting.
   */
  public List<String> load() {
    List<Path> files = new ArrayList<>();
    if (Files.isDirectory(dir)) {
      try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*.xml")) {
        ds.forEach(files::add);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot list saved domains in " + dir + ": " + e.getMessage(), e);
      }
    }
    files.sort(null);
    List<String> out = new ArrayList<>();
    for (Path f : files) {
      try {
        String xml = Files.readString(f, StandardCharsets.UTF_8);
        Element root = SafeXml.documentBuilder().parse(new InputSource(new StringReader(xml))).getDocumentElement();
        if (!root.getTagName().equals("domain")) {
          throw new IllegalArgumentException("root element is <" + root.getTagName() + ">, not <domain>");
        }
        out.add(xml);
      } catch (Exception e) {
        LOG.warn("skipping saved domain {}: {}", f, e.getMessage());
      }
    }
    return out;
  }

  Path file(String uuid) {
    return dir.resolve(CanonicalUuid.normalize(uuid, "domain uuid") + ".xml");
  }

  private void save(String uuid, String element) {
    Path f = file(uuid);
    try {
      Files.createDirectories(dir);
      Path tmp = Files.createTempFile(dir, f.getFileName().toString(), ".tmp");
      try {
        Files.writeString(tmp, element, StandardCharsets.UTF_8);
        Files.move(tmp, f, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } finally {
        Files.deleteIfExists(tmp);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + f + ": " + e.getMessage(), e);
    }
  }

  /** The domain XML with {@code xmlns:test} on its root and {@code <test:runstate>} as its last child. */
  static String withRunstate(String domainXml, int runstate) {
    try {
      Document doc = SafeXml.documentBuilder().parse(new InputSource(new StringReader(domainXml)));
      Element root = doc.getDocumentElement();
      root.setAttribute("xmlns:test", TEST_NAMESPACE);
      for (Element old : children(root, "test:runstate")) {
        if (old.getPreviousSibling() instanceof org.w3c.dom.Text space && space.getData().isBlank()) {
          root.removeChild(space);
        }
        root.removeChild(old);
      }
      Element state = doc.createElement("test:runstate");
      state.setTextContent(Integer.toString(runstate));
      root.appendChild(doc.createTextNode("  "));
      root.appendChild(state);
      root.appendChild(doc.createTextNode("\n"));
      Transformer t = TransformerFactory.newInstance().newTransformer();
      t.setOutputProperty(OutputKeys.OMIT_XML_DECLARATION, "yes");
      t.setOutputProperty(OutputKeys.ENCODING, "UTF-8");
      StringWriter w = new StringWriter();
      t.transform(new DOMSource(doc), new StreamResult(w));
      return w.toString();
    } catch (Exception e) {
      throw new IllegalArgumentException("cannot add the run state to the domain XML: " + e.getMessage(), e);
    }
  }

  private static List<Element> children(Element parent, String tag) {
    List<Element> out = new ArrayList<>();
    for (org.w3c.dom.Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
      if (n instanceof Element e && e.getTagName().equals(tag)) {
        out.add(e);
      }
    }
    return out;
  }
}
