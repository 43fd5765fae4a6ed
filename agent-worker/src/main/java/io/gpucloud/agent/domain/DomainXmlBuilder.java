package io.gpucloud.agent.domain;

import io.gpucloud.activities.instance.AssignedDevice;
import io.gpucloud.activities.instance.InstanceSpec;
import io.gpucloud.activities.model.DeviceType;
import io.gpucloud.activities.model.PciAddress;
import java.io.StringWriter;
import java.util.Locale;
import java.util.Objects;
import java.util.UUID;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import javax.xml.transform.OutputKeys;
import javax.xml.transform.Transformer;
import javax.xml.transform.TransformerException;
import javax.xml.transform.TransformerFactory;
import javax.xml.transform.dom.DOMSource;
import javax.xml.transform.stream.StreamResult;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

/**
 * Builds the libvirt KVM domain XML of an instance with a DOM (every value from the spec is escaped by the
 * serializer, nothing is concatenated into markup).
 *
 * <ul>
 *   <li>name = vmName, uuid = instanceId, memory in MiB, vcpu = cpuCores, q35/hvm booting from the disk, acpi+apic;
 *   <li>one qcow2 virtio disk from the template's image path, a pty serial console;
 *   <li>PCI devices (passthrough and SR-IOV VFs): {@code <hostdev type='pci' managed='yes'>} with the vfio driver
 *       and the full PCI address (domain included);
 *   <li>MDEV devices: {@code <hostdev type='mdev' model='vfio-pci'>} by uuid; with gpuDisplay they get
 *       {@code display='on'}, the first one also {@code ramfb='on'} (libvirt refuses ramfb on more than one vGPU:
 *       "Only one vgpu device can have 'ramfb' enabled"), and the domain gets VNC graphics with video model none
 *       (the vGPU is the display);
 *   <li>when every GPU sits on one NUMA node: memory strictly bound to that node ({@code numatune}) and the vCPUs
 *       pinned to its CPUs when the host topology knows them, else {@code placement='auto'}.
 * </ul>
 */
public final class DomainXmlBuilder {

  private DomainXmlBuilder() {}

  /** The domain XML without host topology (vCPUs placed automatically when NUMA-bound). */
  public static String build(InstanceSpec spec) {
    return build(spec, HostTopology.empty());
  }

  /**
   * The domain XML of {@code spec} on a host with {@code topology}.
   *
   * @throws IllegalArgumentException when the spec cannot make a domain (blank name, instance id not a UUID,
   *     no image, a bad PCI address or mdev uuid, a VGPU_ONLY device)
   */
  public static String build(InstanceSpec spec, HostTopology topology) {
    Objects.requireNonNull(spec, "spec");
    HostTopology topo = topology == null ? HostTopology.empty() : topology;
    if (spec.vmName() == null || spec.vmName().isBlank()) {
      throw new IllegalArgumentException("vmName is required");
    }
    String uuid = uuid(spec.instanceId(), "instance id");
    if (spec.cpuCores() < 1) {
      throw new IllegalArgumentException("cpuCores must be >= 1, got " + spec.cpuCores());
    }
    if (spec.memoryMb() < 1) {
      throw new IllegalArgumentException("memoryMb must be >= 1, got " + spec.memoryMb());
    }
    if (spec.template() == null || spec.template().imagePath() == null || spec.template().imagePath().isBlank()) {
      throw new IllegalArgumentException("template image path is required");
    }

    Document doc = newDocument();
    Element domain = doc.createElement("domain");
    domain.setAttribute("type", "kvm");
    doc.appendChild(domain);
    text(doc, domain, "name", spec.vmName());
    text(doc, domain, "uuid", uuid);
    text(doc, domain, "memory", Long.toString(spec.memoryMb())).setAttribute("unit", "MiB");
    text(doc, domain, "currentMemory", Long.toString(spec.memoryMb())).setAttribute("unit", "MiB");

    int node = spec.commonNumaNode();
    Element vcpu = text(doc, domain, "vcpu", Integer.toString(spec.cpuCores()));
    if (node >= 0) {
      String cpuset = topo.cpusetByNode().get(node);
      if (cpuset != null && !cpuset.isBlank()) {
        vcpu.setAttribute("placement", "static");
        vcpu.setAttribute("cpuset", cpuset);
      } else {
        vcpu.setAttribute("placement", "auto");
      }
      Element numatune = child(doc, domain, "numatune");
      Element mem = child(doc, numatune, "memory");
      mem.setAttribute("mode", "strict");
      mem.setAttribute("nodeset", Integer.toString(node));
    } else {
      vcpu.setAttribute("placement", "static");
    }

    Element os = child(doc, domain, "os");
    Element type = text(doc, os, "type", "hvm");
    type.setAttribute("arch", "x86_64");
    type.setAttribute("machine", "q35");
    child(doc, os, "boot").setAttribute("dev", "hd");
    Element features = child(doc, domain, "features");
    child(doc, features, "acpi");
    child(doc, features, "apic");
    child(doc, domain, "clock").setAttribute("offset", "utc");
    text(doc, domain, "on_poweroff", "destroy");
    text(doc, domain, "on_reboot", "restart");
    text(doc, domain, "on_crash", "destroy");

    Element devices = child(doc, domain, "devices");
    Element disk = child(doc, devices, "disk");
    disk.setAttribute("type", "file");
    disk.setAttribute("device", "disk");
    Element driver = child(doc, disk, "driver");
    driver.setAttribute("name", "qemu");
    driver.setAttribute("type", "qcow2");
    child(doc, disk, "source").setAttribute("file", spec.template().imagePath());
    Element target = child(doc, disk, "target");
    target.setAttribute("dev", "vda");
    target.setAttribute("bus", "virtio");

    boolean anyMdev = false;
    for (AssignedDevice d : spec.devices()) {
      if (d.type() == DeviceType.PCI) {
        PciAddress a = pci(d);
        Element hostdev = child(doc, devices, "hostdev");
        hostdev.setAttribute("mode", "subsystem");
        hostdev.setAttribute("type", "pci");
        hostdev.setAttribute("managed", "yes");
        child(doc, hostdev, "driver").setAttribute("name", "vfio");
        Element address = child(doc, child(doc, hostdev, "source"), "address");
        address.setAttribute("domain", String.format(Locale.ROOT, "0x%04x", a.domain()));
        address.setAttribute("bus", String.format(Locale.ROOT, "0x%02x", a.bus()));
        address.setAttribute("slot", String.format(Locale.ROOT, "0x%02x", a.slot()));
        address.setAttribute("function", String.format(Locale.ROOT, "0x%x", a.function()));
      } else if (d.type() == DeviceType.MDEV) {
        Element hostdev = child(doc, devices, "hostdev");
        hostdev.setAttribute("mode", "subsystem");
        hostdev.setAttribute("type", "mdev");
        hostdev.setAttribute("model", "vfio-pci");
        if (spec.gpuDisplay()) {
          hostdev.setAttribute("display", "on");
          if (!anyMdev) {
            // libvirt allows ramfb (the boot framebuffer) on one vGPU only: the first one is the primary display
            hostdev.setAttribute("ramfb", "on");
          }
        }
        child(doc, child(doc, hostdev, "source"), "address")
            .setAttribute("uuid", uuid(d.busAddress(), "mdev uuid of device " + d.deviceId()));
        anyMdev = true;
      } else {
        throw new IllegalArgumentException("device " + d.deviceId() + " (" + d.busAddress() + ") is of type "
            + d.type() + " and cannot be assigned to an instance");
      }
    }

    Element serial = child(doc, devices, "serial");
    serial.setAttribute("type", "pty");
    child(doc, serial, "target").setAttribute("port", "0");
    Element console = child(doc, devices, "console");
    console.setAttribute("type", "pty");
    Element consoleTarget = child(doc, console, "target");
    consoleTarget.setAttribute("type", "serial");
    consoleTarget.setAttribute("port", "0");

    Element graphics = child(doc, devices, "graphics");
    graphics.setAttribute("type", "vnc");
    graphics.setAttribute("port", "-1");
    graphics.setAttribute("autoport", "yes");
    Element video = child(doc, devices, "video");
    // with a display vGPU the mdev (display='on') is the screen VNC shows; otherwise an emulated VGA
    child(doc, video, "model").setAttribute("type", spec.gpuDisplay() && anyMdev ? "none" : "vga");

    return serialize(doc);
  }

  /** libvirt's node device name of a PCI address: "pci_dddd_bb_ss_f". */
  public static String pciNodeDeviceName(String busAddress) {
    return PciAddress.parse(busAddress).nodeDeviceName();
  }

  /** libvirt's node device name of an mdev: "mdev_" + uuid with '-' replaced by '_' (lower case). */
  public static String mdevNodeDeviceName(String uuid) {
    return "mdev_" + uuid(uuid, "mdev uuid").replace('-', '_');
  }

  /** The normalized (lower-case) form of a UUID, or IllegalArgumentException naming {@code what}. */
  static String uuid(String text, String what) {
    if (text == null) {
      throw new IllegalArgumentException(what + " is required");
    }
    try {
      String t = text.trim();
      UUID u = UUID.fromString(t);
      String norm = u.toString();
      if (!norm.equalsIgnoreCase(t)) {
        throw new IllegalArgumentException(what + " '" + text + "' is not a UUID");
      }
      return norm;
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(what + " '" + text + "' is not a UUID", e);
    }
  }

  private static PciAddress pci(AssignedDevice d) {
    try {
      return PciAddress.parse(d.busAddress());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("device " + d.deviceId() + ": " + e.getMessage(), e);
    }
  }

  private static Document newDocument() {
    try {
      return DocumentBuilderFactory.newInstance().newDocumentBuilder().newDocument();
    } catch (ParserConfigurationException e) {
      throw new IllegalStateException("no XML DOM implementation", e);
    }
  }

  private static Element child(Document doc, Element parent, String tag) {
    Element e = doc.createElement(tag);
    parent.appendChild(e);
    return e;
  }

  private static Element text(Document doc, Element parent, String tag, String value) {
    Element e = child(doc, parent, tag);
    e.setTextContent(value);
    return e;
  }

  public static String serialize(Document doc) {
    try {
      TransformerFactory tf = TransformerFactory.newInstance();
      Transformer t = tf.newTransformer();
      t.setOutputProperty(OutputKeys.OMIT_XML_DECLARATION, "yes");
      t.setOutputProperty(OutputKeys.INDENT, "yes");
      t.setOutputProperty(OutputKeys.ENCODING, "UTF-8");
      t.setOutputProperty("{http://xml.apache.org/xslt}indent-amount", "2");
      StringWriter w = new StringWriter();
      t.transform(new DOMSource(doc), new StreamResult(w));
      return w.toString();
    } catch (TransformerException e) {
      throw new IllegalStateException("cannot serialize domain XML: " + e.getMessage(), e);
    }
  }
}
