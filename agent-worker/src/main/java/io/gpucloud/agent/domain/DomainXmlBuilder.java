package io.gpucloud.agent.domain;

import io.gpucloud.activities.discovery.LibvirtAddress;
import io.gpucloud.activities.instance.AssignedDevice;
import io.gpucloud.activities.instance.InstanceSpec;
import io.gpucloud.activities.model.DeviceType;
import io.gpucloud.activities.model.PciAddress;
import java.io.StringWriter;
import java.util.Objects;
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
 *   <li>one qcow2 virtio disk: the instance's own root disk (a qcow2 overlay on the template's image in the host's
 *       storage pool, made by the agent before the XML), never the template image itself, a pty serial console;
 *   <li>PCI devices (passthrough and SR-IOV VFs): {@code <hostdev type='pci' managed='yes'>} with the vfio driver
 *       and the full PCI address (domain included);
 *   <li>MDEV devices: {@code <hostdev type='mdev' model='vfio-pci'>} by uuid; with gpuDisplay they get
 *       {@code display='on'}, the first one also {@code ramfb='on'} (libvirt refuses ramfb on more than one vGPU:
 *       "Only one vgpu device can have 'ramfb' enabled"), and the domain gets VNC graphics with video model none
 *       (the vGPU is the display);
 *   <li>vCPU placement is always static, never {@code placement='auto'} (which asks the numad daemon, and a domain
 *       does not start on a host without it): when every GPU sits on one NUMA node, memory is strictly bound to
 *       that node ({@code numatune}) and the vCPUs pinned to its CPUs as the host's capabilities list them (when
 *       the host reports none for the node, the vCPUs are left unpinned, memory still strict).
 * </ul>
 *
 * <p>{@link #build} checks the spec, then appends one part per element group, in document order: identity and
 * memory, CPU and NUMA, the fixed platform (os, features, clock, life cycle actions), and the devices (disk,
 * host devices, serial console, display). The output is pinned byte for byte by DomainXmlBuilderExactOutputTest.
 */
public final class DomainXmlBuilder {

  private DomainXmlBuilder() {}

  /**
   * The domain XML of {@code spec} on a host with {@code topology}, booting from {@code rootDiskPath}.
   *
   * @param rootDiskPath the instance's root disk (the path of its volume in the host's pool)
   * @throws IllegalArgumentException when the spec cannot make a domain (blank name, instance id not a UUID,
   *     no root disk, a bad PCI address or mdev uuid, a VGPU_ONLY device)
   */
  public static String build(InstanceSpec spec, HostTopology topology, String rootDiskPath) {
    Objects.requireNonNull(spec, "spec");
    HostTopology topo = topology == null ? HostTopology.empty() : topology;
    String uuid = checkSpec(spec);
    if (rootDiskPath == null || rootDiskPath.isBlank()) {
      throw new IllegalArgumentException("root disk path is required");
    }

    Document doc = newDocument();
    Element domain = doc.createElement("domain");
    domain.setAttribute("type", "kvm");
    doc.appendChild(domain);
    identityAndMemory(domain, spec, uuid);
    cpuAndNuma(domain, spec, topo);
    platform(domain);

    Element devices = child(domain, "devices");
    disk(devices, rootDiskPath);
    boolean anyMdev = hostDevices(devices, spec);
    serialConsole(devices);
    display(devices, spec.gpuDisplay() && anyMdev);
    return serialize(doc);
  }

  /** The instance id as the domain's uuid, once the spec is known to make a domain (devices are checked later). */
  private static String checkSpec(InstanceSpec spec) {
    if (spec.vmName() == null || spec.vmName().isBlank()) {
      throw new IllegalArgumentException("vmName is required");
    }
    String uuid = CanonicalUuid.normalize(spec.instanceId(), "instance id");
    if (spec.cpuCores() < 1) {
      throw new IllegalArgumentException("cpuCores must be >= 1, got " + spec.cpuCores());
    }
    if (spec.memoryMb() < 1) {
      throw new IllegalArgumentException("memoryMb must be >= 1, got " + spec.memoryMb());
    }
    return uuid;
  }

  // ---------------------------------------------------------------- domain-level parts

  /** {@code name}, {@code uuid}, {@code memory} and {@code currentMemory} (MiB). */
  private static void identityAndMemory(Element domain, InstanceSpec spec, String uuid) {
    text(domain, "name", spec.vmName());
    text(domain, "uuid", uuid);
    text(domain, "memory", Long.toString(spec.memoryMb())).setAttribute("unit", "MiB");
    text(domain, "currentMemory", Long.toString(spec.memoryMb())).setAttribute("unit", "MiB");
  }

  /**
   * {@code vcpu}, always {@code placement='static'}, and {@code numatune} when every GPU sits on one node: static
   * NUMA pinning, never numad. The vCPUs are pinned to the node's CPUs when the topology knows them, else left
   * unpinned; memory is strict on the node either way.
   */
  private static void cpuAndNuma(Element domain, InstanceSpec spec, HostTopology topo) {
    int node = spec.commonNumaNode();
    Element vcpu = text(domain, "vcpu", Integer.toString(spec.cpuCores()));
    vcpu.setAttribute("placement", "static");
    if (node < 0) {
      return;
    }
    String cpuset = topo.cpusetByNode().get(node);
    if (cpuset != null && !cpuset.isBlank()) {
      vcpu.setAttribute("cpuset", cpuset);
    }
    Element mem = child(child(domain, "numatune"), "memory");
    mem.setAttribute("mode", "strict");
    mem.setAttribute("nodeset", Integer.toString(node));
  }

  /** q35/hvm booting from the disk, acpi+apic, UTC clock, and what a power-off, reboot or crash does. */
  private static void platform(Element domain) {
    Element os = child(domain, "os");
    Element type = text(os, "type", "hvm");
    type.setAttribute("arch", "x86_64");
    type.setAttribute("machine", "q35");
    child(os, "boot").setAttribute("dev", "hd");
    Element features = child(domain, "features");
    child(features, "acpi");
    child(features, "apic");
    child(domain, "clock").setAttribute("offset", "utc");
    text(domain, "on_poweroff", "destroy");
    text(domain, "on_reboot", "restart");
    text(domain, "on_crash", "destroy");
  }

  // ---------------------------------------------------------------- devices

  /** The root disk: the instance's qcow2 overlay on virtio (vda). */
  private static void disk(Element devices, String rootDiskPath) {
    Element disk = child(devices, "disk");
    disk.setAttribute("type", "file");
    disk.setAttribute("device", "disk");
    Element driver = child(disk, "driver");
    driver.setAttribute("name", "qemu");
    driver.setAttribute("type", "qcow2");
    child(disk, "source").setAttribute("file", rootDiskPath);
    Element target = child(disk, "target");
    target.setAttribute("dev", "vda");
    target.setAttribute("bus", "virtio");
  }

  /** One hostdev per assigned device, in the spec's order; true when any is an mdev. */
  private static boolean hostDevices(Element devices, InstanceSpec spec) {
    boolean anyMdev = false;
    for (AssignedDevice d : spec.devices()) {
      if (d.type() == DeviceType.PCI) {
        pciHostdev(devices, d);
      } else if (d.type() == DeviceType.MDEV) {
        // libvirt allows ramfb (the boot framebuffer) on one vGPU only: the first one is the primary display
        mdevHostdev(devices, d, spec.gpuDisplay(), !anyMdev);
        anyMdev = true;
      } else {
        throw new IllegalArgumentException("device " + d.deviceId() + " (" + d.busAddress() + ") is of type "
            + d.type() + " and cannot be assigned to an instance");
      }
    }
    return anyMdev;
  }

  /** {@code <hostdev mode='subsystem' type='pci' managed='yes'>} with the vfio driver and the full PCI address. */
  private static void pciHostdev(Element devices, AssignedDevice d) {
    LibvirtAddress a = pci(d).libvirtAddress();
    Element hostdev = child(devices, "hostdev");
    hostdev.setAttribute("mode", "subsystem");
    hostdev.setAttribute("type", "pci");
    hostdev.setAttribute("managed", "yes");
    child(hostdev, "driver").setAttribute("name", "vfio");
    Element address = child(child(hostdev, "source"), "address");
    address.setAttribute("domain", a.domain());
    address.setAttribute("bus", a.bus());
    address.setAttribute("slot", a.slot());
    address.setAttribute("function", a.function());
  }

  /** {@code <hostdev mode='subsystem' type='mdev' model='vfio-pci'>} by uuid; display and ramfb when asked. */
  private static void mdevHostdev(Element devices, AssignedDevice d, boolean display, boolean ramfb) {
    Element hostdev = child(devices, "hostdev");
    hostdev.setAttribute("mode", "subsystem");
    hostdev.setAttribute("type", "mdev");
    hostdev.setAttribute("model", "vfio-pci");
    if (display) {
      hostdev.setAttribute("display", "on");
      if (ramfb) {
        hostdev.setAttribute("ramfb", "on");
      }
    }
    child(child(hostdev, "source"), "address")
        .setAttribute("uuid", CanonicalUuid.normalize(d.busAddress(), "mdev uuid of device " + d.deviceId()));
  }

  /** A pty serial port and the console on it. */
  private static void serialConsole(Element devices) {
    Element serial = child(devices, "serial");
    serial.setAttribute("type", "pty");
    child(serial, "target").setAttribute("port", "0");
    Element console = child(devices, "console");
    console.setAttribute("type", "pty");
    Element consoleTarget = child(console, "target");
    consoleTarget.setAttribute("type", "serial");
    consoleTarget.setAttribute("port", "0");
  }

  /** VNC graphics and the video model. */
  private static void display(Element devices, boolean vgpuIsTheDisplay) {
    Element graphics = child(devices, "graphics");
    graphics.setAttribute("type", "vnc");
    graphics.setAttribute("port", "-1");
    graphics.setAttribute("autoport", "yes");
    Element video = child(devices, "video");
    // with a display vGPU the mdev (display='on') is the screen VNC shows; otherwise an emulated VGA
    child(video, "model").setAttribute("type", vgpuIsTheDisplay ? "none" : "vga");
  }

  // ---------------------------------------------------------------- helpers

  private static PciAddress pci(AssignedDevice d) {
    try {
      return PciAddress.parse(d.busAddress());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("device " + d.deviceId() + ": " + e.getMessage(), e);
    }
  }

  /** An empty DOM document (also for the other XML the agent builds). */
  public static Document newDocument() {
    try {
      return DocumentBuilderFactory.newInstance().newDocumentBuilder().newDocument();
    } catch (ParserConfigurationException e) {
      throw new IllegalStateException("no XML DOM implementation", e);
    }
  }

  /** A new element {@code tag}, appended to {@code parent}. */
  public static Element child(Element parent, String tag) {
    Element e = parent.getOwnerDocument().createElement(tag);
    parent.appendChild(e);
    return e;
  }

  /** A new element {@code tag} with the text {@code value} (escaped when serialized), appended to {@code parent}. */
  public static Element text(Element parent, String tag, String value) {
    Element e = child(parent, tag);
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
