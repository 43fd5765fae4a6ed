package io.gpucloud.agent.domain;

import java.io.IOException;
import java.io.StringReader;
import java.util.List;
import javax.xml.parsers.ParserConfigurationException;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.xml.sax.InputSource;
import org.xml.sax.SAXException;

/**
 * Checks that XML (what the transformer hook printed) is still the instance's libvirt domain: well-formed, no
 * DOCTYPE (parsed XXE-safe), root element {@code domain} with exactly one {@code name} equal to the vmName and
 * one {@code uuid} equal to the instance id. A hook may add or change anything else.
 */
public final class DomainXmlValidator {
  private DomainXmlValidator() {}

  /**
   * @throws InvalidDomainXmlException with a message saying what is wrong
   */
  public static void validate(String xml, String expectedVmName, String expectedUuid) {
    if (xml == null || xml.isBlank()) {
      throw new InvalidDomainXmlException("output is empty, expected a libvirt <domain> XML document");
    }
    Document doc;
    try {
      doc = SafeXml.documentBuilder().parse(new InputSource(new StringReader(xml)));
    } catch (SAXException e) {
      String msg = e.getMessage() == null ? e.toString() : e.getMessage();
      if (msg.contains("DOCTYPE")) {
        throw new InvalidDomainXmlException("output has a DOCTYPE declaration, which is not allowed", e);
      }
      throw new InvalidDomainXmlException("output is not well-formed XML: " + msg, e);
    } catch (IOException | ParserConfigurationException e) {
      throw new InvalidDomainXmlException("output cannot be parsed: " + e.getMessage(), e);
    }
    Element root = doc.getDocumentElement();
    if (!"domain".equals(root.getTagName())) {
      throw new InvalidDomainXmlException("root element is <" + root.getTagName() + ">, expected <domain>");
    }
    String name = single(root, "name");
    if (!name.equals(expectedVmName)) {
      throw new InvalidDomainXmlException(
          "domain name is '" + name + "', expected '" + expectedVmName + "' (a hook must not rename the domain)");
    }
    String uuid = single(root, "uuid");
    if (!uuid.equalsIgnoreCase(expectedUuid == null ? "" : expectedUuid.trim())) {
      throw new InvalidDomainXmlException(
          "domain uuid is '" + uuid + "', expected '" + expectedUuid + "' (a hook must not change the uuid)");
    }
  }

  private static String single(Element root, String tag) {
    List<Element> els = HostTopology.children(root, tag);
    if (els.isEmpty()) {
      throw new InvalidDomainXmlException("domain has no <" + tag + "> element");
    }
    if (els.size() > 1) {
      throw new InvalidDomainXmlException("domain has " + els.size() + " <" + tag + "> elements, expected one");
    }
    return els.get(0).getTextContent().trim();
  }
}
