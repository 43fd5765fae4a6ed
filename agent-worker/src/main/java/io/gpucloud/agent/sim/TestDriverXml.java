package io.gpucloud.agent.sim;

import io.gpucloud.activities.model.PciAddress;
import io.gpucloud.activities.discovery.DiscoveredGpu;
import io.gpucloud.activities.discovery.LibvirtAddress;
import io.gpucloud.activities.discovery.VirtualGpu;
import io.gpucloud.agent.instance.LibvirtMdevBackend;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The libvirt test driver document ({@code test:///path/to/file.xml}) of a simulated host, checked against
 * libvirt 9.0: a {@code <node>} with the host's CPU topology and memory, a "computer" system device, each GPU's
 * PCI root port (a bridge, when it differs from the GPU), each GPU as a PCI node device (class 0x030200, IOMMU
 * group, NUMA node; vGPU-carved GPUs list the card's profiles as {@code mdev_types}, SR-IOV GPUs their
 * {@code virt_functions}), each mdev as {@code mdev_<uuid with underscores>} and each VF as a PCI device with a
 * {@code phys_function}. Devices, uuids and groups are exactly those of {@link SimulatedDiscovery#report}.
 * (libvirt 9.0's test driver drops a node device's {@code <driver>}, so the XML carries none; the driver is in
 * the discovery report only.)
 *
 * <p>CPU topology: nodes = numaNodes, 1 socket per node, cpuCores / numaNodes cores per socket, 1 thread; so
 * libvirt's nodeInfo reports cpus = cpuCores, mhz = cpuMhz, memory = memoryMb * 1024 KiB.
 *
 * <p>It declares the host's storage pool for root disks ({@link HostSpec.StoragePool}): a {@code dir} pool whose
 * target path is the pool's directory, in which the test driver creates volumes in memory (with a backing store,
 * as libvirt's storage API does on a real host); {@link SavedVolumes} keeps them in that directory.
 *
 * <p>The document may end with the domains the simulated host had defined before its agent restarted
 * ({@link SavedDomains}), so they outlive the agent as on a real host.
 */
public final class TestDriverXml {

  private TestDriverXml() {}

  /** The test driver XML of {@code spec}, without domains. */
  public static String generate(HostSpec spec) {
    return generate(spec, List.of());
  }

  /** The directory of the pool in a document made without a state directory. */
  static Path defaultPoolDirectory(HostSpec spec) {
    return Path.of("/var/lib/gpucloud-sim", spec.name()).resolve(spec.storagePool().name());
  }

  /**
   * The test driver XML of {@code spec} with {@code domains}: {@code <domain>} elements as {@link SavedDomains}
   * keeps them (the test driver defines each, running or shut off as its {@code <test:runstate>} says).
   */
  public static String generate(HostSpec spec, List<String> domains) {
    return generate(spec, domains, defaultPoolDirectory(spec));
  }

  /** {@link #generate(HostSpec, List)} with the storage pool in {@code poolDirectory}. */
  public static String generate(HostSpec spec, List<String> domains, Path poolDirectory) {
    List<DiscoveredGpu> gpus = SimulatedDiscovery.report(spec).gpus();
    Map<String, Integer> groups = SimulatedDiscovery.iommuGroups(spec);
    StringBuilder x = new StringBuilder(4096);
    x.append("<?xml version='1.0' encoding='UTF-8'?>\n");
    x.append("<!-- simulated host ").append(esc(spec.name())).append(": generated from its host spec, do not edit -->\n");
    x.append("<node>\n");
    x.append("  <cpu>\n");
    x.append("    <mhz>").append(spec.cpuMhz()).append("</mhz>\n");
    x.append("    <model>").append(esc(spec.cpuModel())).append("</model>\n");
    x.append("    <active>").append(spec.cpuCores()).append("</active>\n");
    x.append("    <nodes>").append(spec.numaNodes()).append("</nodes>\n");
    x.append("    <sockets>1</sockets>\n");
    x.append("    <cores>").append(spec.cpuCores() / spec.numaNodes()).append("</cores>\n");
    x.append("    <threads>1</threads>\n");
    x.append("  </cpu>\n");
    x.append("  <memory>").append(spec.memoryMb() * 1024L).append("</memory>\n");

    x.append("  <device>\n");
    x.append("    <name>computer</name>\n");
    x.append("    <capability type='system'>\n");
    x.append("      <product>").append(esc(spec.name())).append("</product>\n");
    x.append("      <hardware>\n");
    x.append("        <vendor>gpucloud simulated host</vendor>\n");
    x.append("        <serial>").append(esc(spec.name())).append("</serial>\n");
    x.append("        <uuid>").append(systemUuid(spec)).append("</uuid>\n");
    x.append("      </hardware>\n");
    x.append("    </capability>\n");
    x.append("  </device>\n");

    // root ports (bridges) the GPUs hang off, once each, in order of first use
    Map<String, Integer> roots = new LinkedHashMap<>();
    for (DiscoveredGpu g : gpus) {
      if (!g.pciRoot().equals(g.pciAddress())) roots.putIfAbsent(g.pciRoot(), g.numaNode());
    }
    for (Map.Entry<String, Integer> r : roots.entrySet()) {
      PciAddress a = PciAddress.parse(r.getKey());
      pciDeviceOpen(x, a, "computer", "0x060400");
      x.append("      <product id='0x0000'>PCI Express Root Port</product>\n");
      x.append("      <vendor id='0x1ae0'>ACS Simulated</vendor>\n");
      x.append("      <numa node='").append(r.getValue()).append("'/>\n");
      x.append("    </capability>\n");
      x.append("  </device>\n");
    }

    for (int i = 0; i < gpus.size(); i++) {
      DiscoveredGpu g = gpus.get(i);
      HostSpec.Gpu gs = spec.gpus().get(i);
      HostSpec.Card card = spec.card(gs.card()).orElseThrow();
      PciAddress a = PciAddress.parse(g.pciAddress());
      String parent = g.pciRoot().equals(g.pciAddress()) ? "computer" : PciAddress.parse(g.pciRoot()).nodeDeviceName();
      pciDeviceOpen(x, a, parent, "0x030200");
      identity(x, g);
      if (gs.mode() == HostSpec.Mode.VGPU) {
        x.append("      <capability type='mdev_types'>\n");
        for (HostSpec.Profile p : card.profiles()) {
          int available = p.name().equals(gs.vgpuProfile()) ? p.maxPerGpu() - g.vgpuInstances().size() : 0;
          x.append("        <type id='").append(esc(mdevTypeId(p))).append("'>\n");
          x.append("          <name>").append(esc(p.name())).append("</name>\n");
          x.append("          <deviceAPI>vfio-pci</deviceAPI>\n");
          x.append("          <availableInstances>").append(available).append("</availableInstances>\n");
          x.append("        </type>\n");
        }
        x.append("      </capability>\n");
      }
      if (gs.mode() == HostSpec.Mode.SRIOV) {
        x.append("      <capability type='virt_functions' maxCount='").append(g.sriovTotalVfs()).append("'>\n");
        for (VirtualGpu vf : g.vfInstances()) {
          x.append("        ").append(addressElement(PciAddress.parse(vf.address()))).append('\n');
        }
        x.append("      </capability>\n");
      }
      iommuAndNuma(x, a, groups.get(g.pciAddress()), g.numaNode());
      x.append("    </capability>\n");
      x.append("  </device>\n");

      for (VirtualGpu m : g.vgpuInstances()) {
        x.append("  <device>\n");
        x.append("    <name>").append(mdevDeviceName(m.address())).append("</name>\n");
        x.append("    <parent>").append(a.nodeDeviceName()).append("</parent>\n");
        x.append("    <capability type='mdev'>\n");
        x.append("      <type id='").append(esc(mdevTypeId(card.profile(m.profileName()).orElseThrow())))
            .append("'/>\n");
        x.append("      <uuid>").append(m.address()).append("</uuid>\n");
        x.append("    </capability>\n");
        x.append("  </device>\n");
      }
      for (VirtualGpu vf : g.vfInstances()) {
        PciAddress va = PciAddress.parse(vf.address());
        pciDeviceOpen(x, va, a.nodeDeviceName(), "0x030200");
        identity(x, g);
        x.append("      <capability type='phys_function'>\n");
        x.append("        ").append(addressElement(a)).append('\n');
        x.append("      </capability>\n");
        iommuAndNuma(x, va, groups.get(vf.address()), g.numaNode());
        x.append("    </capability>\n");
        x.append("  </device>\n");
      }
    }
    storagePool(x, spec.storagePool(), poolDirectory);
    for (String d : domains) {
      x.append(d.strip()).append('\n');
    }
    x.append("</node>\n");
    return x.toString();
  }

  /**
   * Writes the document to {@code file} (atomically: a temporary file beside it, then a rename) and returns the
   * libvirt URI that opens it: {@code test:///absolute/path.xml}.
   */
  public static String write(HostSpec spec, Path file) {
    return write(spec, List.of(), file);
  }

  /**
   * The pool directory of a document written to {@code file}: the spec's pool resolved against the file's
   * directory, which is the state directory when the agent writes it.
   */
  public static Path poolDirectory(HostSpec spec, Path file) {
    return spec.storagePool().directory(file.toAbsolutePath().normalize().getParent());
  }

  /** {@link #write(HostSpec, Path)} of the document with {@code domains} ({@link #generate(HostSpec, List)}). */
  public static String write(HostSpec spec, List<String> domains, Path file) {
    Path abs = file.toAbsolutePath().normalize();
    try {
      if (abs.getParent() != null) Files.createDirectories(abs.getParent());
      Path tmp = Files.createTempFile(abs.getParent(), abs.getFileName().toString(), ".tmp");
      Files.writeString(tmp, generate(spec, domains, poolDirectory(spec, abs)), StandardCharsets.UTF_8);
      Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write libvirt test driver XML to " + abs + ": " + e.getMessage(), e);
    }
    return uri(abs);
  }

  /** The test driver URI of an XML file: "test://" + absolute path (so "test:///tmp/H1.xml"). */
  public static String uri(Path file) {
    return "test://" + file.toAbsolutePath().normalize();
  }

  /** libvirt's node device name of an mdev: "mdev_" + uuid with '-' replaced by '_'. */
  public static String mdevDeviceName(String uuid) {
    return LibvirtMdevBackend.nodeDeviceName(uuid);
  }

  /** The mdev type id of a simulated profile: "sim-" prefixed profile names stay as they are ("sim-8q"). */
  public static String mdevTypeId(HostSpec.Profile p) {
    return p.name();
  }

  /**
   * The pool element: the same name and directory make the same uuid, so hosts that share a pool declare the very
   * same pool. (The test driver reports a fixed capacity; volumes are created with allocation 0, thin overlays, so
   * they never fill it.)
   */
  private static void storagePool(StringBuilder x, HostSpec.StoragePool pool, Path directory) {
    String path = directory.toAbsolutePath().normalize().toString();
    UUID uuid = UUID.nameUUIDFromBytes(("pool/" + pool.name() + "/" + path).getBytes(StandardCharsets.UTF_8));
    x.append("  <pool type='dir'>\n");
    x.append("    <name>").append(esc(pool.name())).append("</name>\n");
    x.append("    <uuid>").append(uuid).append("</uuid>\n");
    x.append("    <target>\n");
    x.append("      <path>").append(esc(path)).append("</path>\n");
    x.append("    </target>\n");
    x.append("  </pool>\n");
  }

  private static UUID systemUuid(HostSpec spec) {
    return UUID.nameUUIDFromBytes(("system/" + spec.name()).getBytes(StandardCharsets.UTF_8));
  }

  private static void pciDeviceOpen(StringBuilder x, PciAddress a, String parent, String pciClass) {
    x.append("  <device>\n");
    x.append("    <name>").append(a.nodeDeviceName()).append("</name>\n");
    x.append("    <parent>").append(esc(parent)).append("</parent>\n");
    x.append("    <capability type='pci'>\n");
    x.append("      <class>").append(pciClass).append("</class>\n");
    x.append("      <domain>").append(a.domain()).append("</domain>\n");
    x.append("      <bus>").append(a.bus()).append("</bus>\n");
    x.append("      <slot>").append(a.slot()).append("</slot>\n");
    x.append("      <function>").append(a.function()).append("</function>\n");
  }

  private static void identity(StringBuilder x, DiscoveredGpu g) {
    x.append("      <product id='0x").append(g.deviceId()).append("'>").append(esc(g.device())).append("</product>\n");
    x.append("      <vendor id='0x").append(g.vendorId()).append("'>").append(esc(g.vendor())).append("</vendor>\n");
  }

  private static void iommuAndNuma(StringBuilder x, PciAddress a, int group, int numaNode) {
    x.append("      <iommuGroup number='").append(group).append("'>\n");
    x.append("        ").append(addressElement(a)).append('\n');
    x.append("      </iommuGroup>\n");
    x.append("      <numa node='").append(numaNode).append("'/>\n");
  }

  private static String addressElement(PciAddress a) {
    LibvirtAddress l = a.libvirtAddress();
    return "<address domain='" + l.domain() + "' bus='" + l.bus() + "' slot='" + l.slot() + "' function='"
        + l.function() + "'/>";
  }

  private static String esc(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("'", "&apos;")
        .replace("\"", "&quot;");
  }
}
