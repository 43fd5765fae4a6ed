package io.gpucloud.agent.instance;

import io.gpucloud.agent.domain.DomainXmlBuilder;
import io.gpucloud.agent.domain.SafeXml;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import org.xml.sax.InputSource;

/** Node device XML of mdevs: the document that creates one, and the mdev types of a parent GPU. */
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
   * The types listed under the parent's {@code <capability type='mdev_types'>}, in document order, each with its
   * first {@code <name>} (or ""); none when the XML cannot be parsed.
   */
  static List<MdevType> types(String parentXml) {
    Document doc;
    try {
      doc = SafeXml.documentBuilder().parse(new InputSource(new StringReader(parentXml)));
    } catch (Exception e) {
      return List.of();
    }
    List<MdevType> out = new ArrayList<>();
    NodeList types = doc.getElementsByTagName("type");
    for (int i = 0; i < types.getLength(); i++) {
      Element t = (Element) types.item(i);
      if (!(t.getParentNode() instanceof Element p) || !"mdev_types".equals(p.getAttribute("type"))) {
        continue;
      }
      NodeList names = t.getElementsByTagName("name");
      out.add(new MdevType(t.getAttribute("id"), names.getLength() > 0 ? names.item(0).getTextContent().trim() : ""));
    }
    return out;
  }

  /** The id of the parent's mdev type for {@code profile} ({@link MdevType#pick}). */
  static String typeIdFor(String parentXml, String profile) {
    return MdevType.pick(types(parentXml), profile);
  }
}
