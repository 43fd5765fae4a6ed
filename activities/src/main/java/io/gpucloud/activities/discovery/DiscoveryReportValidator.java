package io.gpucloud.activities.discovery;

import io.gpucloud.activities.model.PciAddress;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What a {@link DiscoveryReport} must be before the control plane writes any of it: the form the agent's parser
 * produces, within the inventory's columns. A report comes over Temporal, so the control plane checks it again
 * rather than trusting the sender: an address in another form than the normalised one (the inventory compares
 * them case-insensitively: two spellings of one device would collide), a name longer than its column, a
 * missing field, a duplicate address or an mdev on a function that is not one of its GPU's VFs is refused
 * whole, with a message naming the field, e.g. {@code gpus[1].vf_instances[0].driver: longer than 64 characters},
 * and nothing is written.
 *
 * <p>Limits (the columns of gpu_cards, vgpu_profiles, gpu_devices and instances): names (vendor, device,
 * pci_class, profile names, vGPU types, used_by_vm) 255 characters; driver 64 characters of a kernel module
 * name; iommu_group up to 10 digits; numa_node -1 or more; counts and sizes 0 or more.
 */
public final class DiscoveryReportValidator {
  /** vendor, device, pci_class, profile names, vGPU types: VARCHAR(255). */
  public static final int MAX_NAME = 255;
  /** used_by_vm: a libvirt domain name, as instances.vm_name keeps it (VARCHAR(255)). */
  public static final int MAX_VM_NAME = 255;
  /** gpu_devices.driver is VARCHAR(64). */
  public static final Pattern DRIVER = Pattern.compile("[A-Za-z0-9_.+-]{1,64}");
  /** gpu_devices.iommu_group is VARCHAR(16). */
  public static final Pattern IOMMU_GROUP = Pattern.compile("[0-9]{1,10}");
  private static final Pattern HEX4 = Pattern.compile("[0-9a-f]{4}");
  private static final Pattern UUID =
      Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
  private static final int MAX_ENTRY = 255;
  private static final int MAX_SHOWN = 60;

  private DiscoveryReportValidator() {}

  /**
   * Checks the whole report.
   *
   * @throws InvalidDiscoveryOutputException naming the first field that is wrong
   */
  public static void validate(DiscoveryReport report) {
    if (report == null) {
      throw new InvalidDiscoveryOutputException("discovery report: missing");
    }
    Map<String, String> seen = new HashMap<>();
    List<DiscoveredGpu> gpus = report.gpus();
    for (int i = 0; i < gpus.size(); i++) {
      gpu(gpus.get(i), "gpus[" + i + "]", seen);
    }
    List<DiscoveryProblem> problems = report.problems();
    for (int i = 0; i < problems.size(); i++) {
      problem(problems.get(i), "problems[" + i + "]");
    }
  }

  /** True when {@link #validate} accepts the report. */
  public static boolean valid(DiscoveryReport report) {
    try {
      validate(report);
      return true;
    } catch (InvalidDiscoveryOutputException e) {
      return false;
    }
  }

  private static void gpu(DiscoveredGpu g, String path, Map<String, String> seen) {
    if (g == null) {
      throw invalid(path, "missing (null entry)");
    }
    pci(g.pciAddress(), path + ".pci_address");
    unique(g.pciAddress(), path + ".pci_address", seen);
    hex4(g.vendorId(), path + ".vendor_id");
    hex4(g.deviceId(), path + ".device_id");
    name(g.vendor(), path + ".vendor", false);
    name(g.device(), path + ".device", false);
    name(g.pciClass(), path + ".pci_class", false);
    driver(g.driver(), path + ".driver");
    iommuGroup(g.iommuGroup(), path + ".iommu_group");
    if (g.pciRoot() != null) {
      pci(g.pciRoot(), path + ".pci_root");
    }
    if (g.numaNode() < -1) {
      throw invalid(path + ".numa_node", "expected -1 (unknown) or more, got " + g.numaNode());
    }
    notNegative(g.sriovTotalVfs(), path + ".sriov_totalvfs");
    notNegative(g.sriovNumVfs(), path + ".sriov_numvfs");
    sizes(g.maxInstances(), g.videoRam(), g.maxHeads(), g.maxResolutionX(), g.maxResolutionY(), path);
    FullPassthrough fp = g.fullPassthrough();
    if (fp == null) {
      throw invalid(path + ".full_passthrough", "missing");
    }
    vmName(fp.usedByVm(), path + ".full_passthrough.used_by_vm");
    Set<String> vfAddresses = new HashSet<>();
    for (int j = 0; j < g.vfInstances().size(); j++) {
      String p = path + ".vf_instances[" + j + "]";
      VirtualGpu vf = g.vfInstances().get(j);
      if (vf == null) {
        throw invalid(p, "missing (null entry)");
      }
      pci(vf.address(), p + ".vf_pci_address");
      unique(vf.address(), p + ".vf_pci_address", seen);
      vfAddresses.add(vf.address());
      name(vf.profileName(), p + ".vf_profile", false);
      virtual(vf, p);
      driver(vf.driver(), p + ".driver");
      iommuGroup(vf.iommuGroup(), p + ".iommu_group");
      for (int k = 0; k < vf.vgpuTypes().size(); k++) {
        name(vf.vgpuTypes().get(k), p + ".vgpu_types[" + k + "]", true);
      }
      if (vf.parentAddress() != null) {
        throw invalid(p + ".parent_pci_address", "a VF sits on its GPU, got " + quote(vf.parentAddress()));
      }
    }
    for (int j = 0; j < g.vgpuInstances().size(); j++) {
      String p = path + ".vgpu_instances[" + j + "]";
      VirtualGpu m = g.vgpuInstances().get(j);
      if (m == null) {
        throw invalid(p, "missing (null entry)");
      }
      if (m.address() == null || !UUID.matcher(m.address()).matches()) {
        throw invalid(p + ".mdev_uuid", "expected a lower-case UUID, got " + quote(m.address()));
      }
      unique(m.address(), p + ".mdev_uuid", seen);
      name(m.profileName(), p + ".profile_name", true);
      virtual(m, p);
      if (m.parentAddress() != null && !vfAddresses.contains(m.parentAddress())) {
        throw invalid(p + ".parent_pci_address", quote(m.parentAddress()) + " is not a VF of " + g.pciAddress());
      }
    }
  }

  private static void virtual(VirtualGpu v, String p) {
    sizes(v.maxInstances(), v.videoRam(), v.maxHeads(), v.maxResolutionX(), v.maxResolutionY(), p);
    vmName(v.usedByVm(), p + ".used_by_vm");
  }

  private static void problem(DiscoveryProblem problem, String path) {
    if (problem == null) {
      throw invalid(path, "missing (null entry)");
    }
    if (problem.kind() == null) {
      throw invalid(path + ".kind", "missing");
    }
    if (problem.entry() == null || problem.entry().isBlank() || problem.entry().length() > MAX_ENTRY) {
      throw invalid(path + ".entry", "expected a JSON path of up to " + MAX_ENTRY + " characters, got "
          + quote(problem.entry()));
    }
    if (problem.message() == null || problem.message().isBlank()) {
      throw invalid(path + ".message", "missing");
    }
    String a = problem.address();
    if (a != null && !UUID.matcher(a).matches()
        && !PciAddress.tryParseStrict(a).map(x -> x.toString().equals(a)).orElse(false)) {
      throw invalid(path + ".address", "expected a normalised PCI address or a lower-case UUID, got " + quote(a));
    }
  }

  private static void pci(String s, String path) {
    if (s == null) {
      throw invalid(path, "missing");
    }
    if (!PciAddress.tryParseStrict(s).map(a -> a.toString().equals(s)).orElse(false)) {
      throw invalid(path, "expected a normalised PCI address like \"0000:01:00.0\", got " + quote(s));
    }
  }

  private static void unique(String address, String path, Map<String, String> seen) {
    String earlier = seen.putIfAbsent(address, path);
    if (earlier != null) {
      throw invalid(path, "duplicate address " + quote(address) + ", already reported at " + earlier);
    }
  }

  private static void hex4(String s, String path) {
    if (s == null || !HEX4.matcher(s).matches()) {
      throw invalid(path, "expected 4 lower-case hex digits, got " + quote(s));
    }
  }

  private static void name(String s, String path, boolean required) {
    if (s == null || s.isBlank()) {
      if (required) {
        throw invalid(path, "missing");
      }
      return;
    }
    if (s.length() > MAX_NAME) {
      throw invalid(path, "longer than " + MAX_NAME + " characters (" + s.length() + ")");
    }
  }

  private static void vmName(String s, String path) {
    if (s != null && (s.isBlank() || s.length() > MAX_VM_NAME)) {
      throw invalid(path, "expected a VM name of 1 to " + MAX_VM_NAME + " characters, got " + quote(s));
    }
  }

  private static void driver(String s, String path) {
    if (s != null && !DRIVER.matcher(s).matches()) {
      throw invalid(path, "expected a driver name of up to 64 characters, got " + quote(s));
    }
  }

  private static void iommuGroup(String s, String path) {
    if (s != null && !IOMMU_GROUP.matcher(s).matches()) {
      throw invalid(path, "expected a group number of up to 10 digits, got " + quote(s));
    }
  }

  private static void sizes(Integer maxInstances, Long videoRam, Integer maxHeads, Integer x, Integer y, String p) {
    notNegative(maxInstances, p + ".max_instances");
    notNegative(videoRam, p + ".video_ram");
    notNegative(maxHeads, p + ".max_heads");
    notNegative(x, p + ".max_resolution_x");
    notNegative(y, p + ".max_resolution_y");
  }

  private static void notNegative(Number n, String path) {
    if (n != null && n.longValue() < 0) {
      throw invalid(path, "expected 0 or more, got " + n);
    }
  }

  private static InvalidDiscoveryOutputException invalid(String path, String what) {
    return new InvalidDiscoveryOutputException("discovery report " + path + ": " + what);
  }

  private static String quote(String s) {
    if (s == null) {
      return "null";
    }
    StringBuilder b = new StringBuilder("\"");
    String shown = s.length() <= MAX_SHOWN ? s : s.substring(0, MAX_SHOWN) + "...";
    for (int i = 0; i < shown.length(); i++) {
      char c = shown.charAt(i);
      if (c == '"' || c == '\\') {
        b.append('\\').append(c);
      } else if (c < 0x20 || Character.isSurrogate(c)) {
        b.append(String.format("\\u%04x", (int) c));
      } else {
        b.append(c);
      }
    }
    return b.append('"').toString();
  }
}
