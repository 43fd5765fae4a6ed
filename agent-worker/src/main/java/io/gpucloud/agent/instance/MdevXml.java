package io.gpucloud.agent.instance;

import io.gpucloud.agent.domain.DomainXmlBuilder;
import io.gpucloud.agent.domain.SafeXml;
import java.io.StringReader;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import org.xml.sax.InputSource;

/** Node device XML of mdevs: the document that creates one, and the type id of a profile on a parent GPU. */
final class MdevXml {
  private MdevXml() {}

  /**
   * {@code <device><parent>pci_..</parent><capability type='mdev'><type id='..'/><uuid>..</uuid></capability>
   * </device>}, built with a DOM.
   */
  static String create(String parentNodeDevice, String typeId, String uuid) {
    try {
      Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder().newDocument();
      Element device = doc.createElement("device");
      doc.appendChild(device);
      Element parent = doc.createElement("parent");
      parent.setTextContent(parentNodeDevice);
      device.appendChild(parent);
      Element cap = doc.createElement("capability");
      cap.setAttribute("type", "mdev");
      device.appendChild(cap);
      Element type = doc.createElement("type");
      type.setAttribute("id", typeId);
      cap.appendChild(type);
      Element u = doc.createElement("uuid");
      u.setTextContent(uuid);
      cap.appendChild(u);
      return DomainXmlBuilder.serialize(doc);
    } catch (javax.xml.parsers.ParserConfigurationException e) {
      throw new IllegalStateException("no XML DOM implementation", e);
    }
  }

  /**
   * The id of the parent's mdev type for {@code profile}: a type whose id is the profile ("sim-8q",
   * "nvidia-592"), else whose name is the profile, else whose name ends with " " + profile (NVIDIA names its
   * types "NVIDIA L40S-12Q"); the profile itself when the parent lists no matching type (libvirt then
   * reports the error on create).
   */
  static String typeIdFor(String parentXml, String profile) {
    Document doc;
    try {
      doc = SafeXml.documentBuilder().parse(new InputSource(new StringReader(parentXml)));
    } catch (Exception e) {
      return profile;
    }
    NodeList types = doc.getElementsByTagName("type");
    String byName = null;
    String bySuffix = null;
    for (int i = 0; i < types.getLength(); i++) {
      Element t = (Element) types.item(i);
      if (!(t.getParentNode() instanceof Element p) || !"mdev_types".equals(p.getAttribute("type"))) {
        continue;
      }
      String id = t.getAttribute("id");
      if (id.equals(profile)) {
        return id;
      }
      NodeList names = t.getElementsByTagName("name");
      String name = names.getLength() > 0 ? names.item(0).getTextContent().trim() : "";
      if (byName == null && name.equals(profile)) {
        byName = id;
      } else if (bySuffix == null && name.endsWith(" " + profile)) {
        bySuffix = id;
      }
    }
    return byName != null ? byName : bySuffix != null ? bySuffix : profile;
  }
}
