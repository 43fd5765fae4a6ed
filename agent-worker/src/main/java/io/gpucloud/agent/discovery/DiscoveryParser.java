package io.gpucloud.agent.discovery;

import io.gpucloud.agent.domain.CanonicalUuid;
import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeType;
import io.gpucloud.activities.discovery.DiscoveredGpu;
import io.gpucloud.activities.discovery.DiscoveryProblem;
import io.gpucloud.activities.discovery.DiscoveryProblem.Kind;
import io.gpucloud.activities.discovery.DiscoveryReport;
import io.gpucloud.activities.discovery.DiscoveryReportValidator;
import io.gpucloud.activities.discovery.FullPassthrough;
import io.gpucloud.activities.discovery.InvalidDiscoveryOutputException;
import io.gpucloud.activities.discovery.LibvirtAddress;
import io.gpucloud.activities.discovery.VirtualGpu;
import io.gpucloud.activities.model.PciAddress;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Validates the JSON a discovery hook prints (the CloudStack 4.21 gpudiscovery.sh shape) and turns it into a
 * {@link DiscoveryReport}. Every message names the JSON path of what is wrong, e.g.
 * {@code gpus[2].vendor_id: expected 4 hex digits, got "zz"}.
 *
 * <p>The whole document fails ({@link InvalidDiscoveryOutputException}, the inventory stays as it is) only when
 * it is broken as a document: not JSON (duplicate keys and trailing garbage included), not an object with a
 * {@code gpus} array, two entries with the same address (GPU, VF or mdev), or not one usable GPU entry among
 * several (a script that garbles every entry is broken, not every GPU). Anything else is judged entry by entry:
 * <ul>
 *   <li>an <b>unusable</b> entry is left out of the report and listed as an UNUSABLE problem with its address
 *       when that could be read; a GPU entry takes its VFs and vGPUs with it. Unusable means a field that says
 *       what or where the device is cannot be read: pci_address / vf_pci_address / mdev_uuid, vendor_id,
 *       device_id, full_passthrough.enabled, a mdev's profile_name, numa_node, the counts and sizes, or any
 *       field of the wrong JSON type;
 *   <li>a <b>sentinel</b> ({@code null}, {@code -1}, {@code "-1"}, {@code ""}, {@code "null"}, {@code "none"},
 *       {@code "unknown"}, {@code "n/a"}, any case) means unknown: null text, numa_node -1, counts 0, sizes null;
 *       it is not a problem;
 *   <li>a descriptive field whose text cannot be read (driver, iommu_group, pci_root, a libvirt_address) is taken
 *       as unknown, or derived, and listed as a WARNING; the entry is used.
 * </ul>
 *
 * <p>pci_address is authoritative: the libvirt address of a GPU and of a VF is always derived from it, and a
 * libvirt_address that differs or cannot be read is a warning. An mdev's libvirt_address (CloudStack) or
 * parent_pci_address (our script) names the PCI function it is created on: one of the GPU's VFs, or the GPU.
 * An empty or missing vf_profile is fine (null: the control plane names the VF). A GPU that hosts vGPUs or VFs,
 * or has SR-IOV VFs enabled, is never offered whole: full_passthrough.enabled becomes false. PCI addresses
 * "bb:ss.f" or "dddd:bb:ss.f" (4 to 8 hex digit domain) are normalised to lower-case "dddd:bb:ss.f"; mdev uuids
 * to lower case. Unknown fields are ignored.
 */
public final class DiscoveryParser {

  private static final ObjectMapper MAPPER =
      JsonMapper.builder()
          .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .disable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
          .build();

  private static final Pattern HEX4 = Pattern.compile("[0-9a-fA-F]{4}");
  private static final Pattern LIBVIRT_HEX = Pattern.compile("(?:0[xX])?([0-9a-fA-F]{1,8})");
  private static final Pattern INT_STRING = Pattern.compile("[-+]?[0-9]{1,18}");
  /** A kernel driver name as sysfs shows it (the inventory keeps 64 characters). */
  private static final Pattern DRIVER = Pattern.compile("[A-Za-z0-9_.+-]{1,64}");
  private static final Pattern IOMMU_GROUP = Pattern.compile("[0-9]{1,10}");
  /** Values that scripts print for "unknown". */
  private static final Set<String> SENTINELS = Set.of("", "null", "none", "unknown", "n/a", "-1");
  private static final int MAX_NAME = 255;
  private static final int MAX_SHOWN = 60;
  private static final int MAX_JSON_ERROR = 300;
  private static final int MAX_FAILURE = 2000;

  private DiscoveryParser() {}

  /** What makes one entry unusable; never leaves this class. */
  private static final class BadEntry extends RuntimeException {
    BadEntry(String message) {
      super(message, null, false, false);
    }
  }

  /** Addresses seen so far (for duplicates) and the problems found. */
  private static final class Context {
    final Map<String, String> seen = new HashMap<>();
    final List<DiscoveryProblem> problems = new ArrayList<>();

    void unique(String key, String shown, String path) {
      String earlier = seen.putIfAbsent(key, path);
      if (earlier != null) {
        throw new InvalidDiscoveryOutputException(
            path + ": duplicate address \"" + shown + "\", already reported at " + earlier);
      }
    }

    void warn(String entry, String address, String message) {
      problems.add(new DiscoveryProblem(Kind.WARNING, entry, address, message));
    }

    void unusable(String entry, String address, String message) {
      problems.add(new DiscoveryProblem(Kind.UNUSABLE, entry, address, message));
    }
  }

  /**
   * Parses and validates discovery output.
   *
   * @throws InvalidDiscoveryOutputException when the document as a whole is broken (see the class comment),
   *     with a message naming the JSON path of the problem
   */
  public static DiscoveryReport parse(String json) {
    if (json == null || json.isBlank()) {
      throw new InvalidDiscoveryOutputException("discovery output is empty");
    }
    JsonNode root;
    try {
      root = MAPPER.readTree(json);
    } catch (JacksonException e) {
      String msg = e.getOriginalMessage();
      if (msg == null) {
        msg = e.getClass().getSimpleName();
      }
      msg = msg.replaceAll("\\[Source: [^;\\]]*; ", "[");
      if (msg.length() > MAX_JSON_ERROR) {
        msg = msg.substring(0, MAX_JSON_ERROR) + "...";
      }
      String where = "";
      if (e.getLocation() != null && e.getLocation().getLineNr() > 0) {
        where = " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")";
      }
      throw new InvalidDiscoveryOutputException("discovery output is not valid JSON: " + msg + where, e);
    }
    if (root == null || root.isMissingNode()) {
      throw new InvalidDiscoveryOutputException("discovery output is empty");
    }
    if (!root.isObject()) {
      throw new InvalidDiscoveryOutputException(
          "discovery output: expected a JSON object with a \"gpus\" array, got " + describe(root));
    }
    JsonNode gpus = root.get("gpus");
    if (gpus == null) {
      throw new InvalidDiscoveryOutputException("gpus: missing (expected an array, may be empty)");
    }
    if (!gpus.isArray()) {
      throw new InvalidDiscoveryOutputException("gpus: expected an array, got " + describe(gpus));
    }
    Context ctx = new Context();
    List<DiscoveredGpu> result = new ArrayList<>(gpus.size());
    List<String> unusable = new ArrayList<>();
    for (int i = 0; i < gpus.size(); i++) {
      String path = "gpus[" + i + "]";
      DiscoveredGpu g = gpu(gpus.get(i), path, ctx);
      if (g != null) {
        result.add(g);
      } else {
        unusable.add(ctx.problems.stream().filter(p -> p.kind() == Kind.UNUSABLE && p.entry().equals(path))
            .map(DiscoveryProblem::message).findFirst().orElse(path + ": unusable"));
      }
    }
    if (result.isEmpty() && !unusable.isEmpty()) {
      String all = String.join("; ", unusable);
      throw new InvalidDiscoveryOutputException(all.length() <= MAX_FAILURE ? all : all.substring(0, MAX_FAILURE) + "...");
    }
    return new DiscoveryReport(result, ctx.problems);
  }

  // ---- one GPU entry ---------------------------------------------------------------------------------

  /** The entry, or null when it is unusable (then its problems, and its children's, are recorded). */
  private static DiscoveredGpu gpu(JsonNode gpu, String path, Context ctx) {
    // Addresses first, whatever else is wrong: duplicates fail the document, and an unusable entry's address
    // (and its children's) is what sends the devices already there to Error.
    String address = gpu != null && gpu.isObject() ? readablePci(gpu.get("pci_address")) : null;
    if (address != null) {
      ctx.unique("pci:" + address, address, path + ".pci_address");
    }
    Map<String, String> children = registerChildren(gpu, path, ctx);
    try {
      return readGpu(gpu, path, address, ctx);
    } catch (BadEntry e) {
      ctx.unusable(path, address, e.getMessage());
      children.forEach((childPath, childAddress) -> ctx.unusable(childPath, childAddress,
          childPath + ": left out with its GPU, whose entry " + path + " is unusable"));
      return null;
    }
  }

  /** JSON path -> address of each readable vGPU and VF address of the entry, registered against duplicates. */
  private static Map<String, String> registerChildren(JsonNode gpu, String path, Context ctx) {
    Map<String, String> out = new LinkedHashMap<>();
    if (gpu == null || !gpu.isObject()) {
      return out;
    }
    JsonNode vgpus = gpu.get("vgpu_instances");
    if (vgpus != null && vgpus.isArray()) {
      for (int j = 0; j < vgpus.size(); j++) {
        String uuid = readableUuid(vgpus.get(j).get("mdev_uuid"));
        if (uuid != null) {
          String p = path + ".vgpu_instances[" + j + "]";
          ctx.unique("mdev:" + uuid, uuid, p + ".mdev_uuid");
          out.put(p, uuid);
        }
      }
    }
    JsonNode vfs = gpu.get("vf_instances");
    if (vfs != null && vfs.isArray()) {
      for (int j = 0; j < vfs.size(); j++) {
        String vf = readablePci(vfs.get(j).get("vf_pci_address"));
        if (vf != null) {
          String p = path + ".vf_instances[" + j + "]";
          ctx.unique("pci:" + vf, vf, p + ".vf_pci_address");
          out.put(p, vf);
        }
      }
    }
    return out;
  }

  private static DiscoveredGpu readGpu(JsonNode gpu, String path, String address, Context ctx) {
    requireObject(gpu, path);
    String pciAddress = requiredPci(gpu, path, "pci_address");
    String vendorId = requiredHex4(gpu, path, "vendor_id");
    String deviceId = requiredHex4(gpu, path, "device_id");

    String fpPath = path + ".full_passthrough";
    JsonNode fp = gpu.get("full_passthrough");
    if (fp == null || fp.isNull()) {
      throw new BadEntry(fpPath + ": missing (expected an object with \"enabled\")");
    }
    requireObject(fp, fpPath);
    boolean enabled = requiredFlag(fp, fpPath, "enabled");
    LibvirtAddress fpAddress = derivedLibvirtAddress(fp, fpPath, pciAddress, path, ctx);
    String fpUsedBy = usedByVm(fp, fpPath);

    String vendor = name(gpu, path, "vendor", address, ctx);
    String device = name(gpu, path, "device", address, ctx);
    String pciClass = name(gpu, path, "pci_class", address, ctx);
    String driver = driver(gpu, path, address, ctx);
    String iommuGroup = iommuGroup(gpu, path, address, ctx);
    String pciRoot = pciRoot(gpu, path, address, ctx);
    int numaNode = numaNode(gpu, path);
    int totalVfs = countOrZero(gpu, path, "sriov_totalvfs");
    int numVfs = countOrZero(gpu, path, "sriov_numvfs");
    Integer maxInstances = optionalInt(gpu, path, "max_instances");
    Long videoRam = optionalLong(gpu, path, "video_ram");
    Integer maxHeads = optionalInt(gpu, path, "max_heads");
    Integer maxResolutionX = optionalInt(gpu, path, "max_resolution_x");
    Integer maxResolutionY = optionalInt(gpu, path, "max_resolution_y");
    JsonNode vgpuArray = optionalArray(gpu, path, "vgpu_instances");
    JsonNode vfArray = optionalArray(gpu, path, "vf_instances");

    // VFs first: an mdev's libvirt address may name one of them as the function it sits on
    List<VirtualGpu> vfs = new ArrayList<>();
    if (vfArray != null) {
      for (int j = 0; j < vfArray.size(); j++) {
        String p = path + ".vf_instances[" + j + "]";
        JsonNode v = vfArray.get(j);
        try {
          vfs.add(vf(v, p, ctx));
        } catch (BadEntry e) {
          ctx.unusable(p, v != null && v.isObject() ? readablePci(v.get("vf_pci_address")) : null, e.getMessage());
        }
      }
    }
    Map<String, String> vfAddresses = vfs.stream()
        .collect(Collectors.toMap(VirtualGpu::address, VirtualGpu::address, (a, b) -> a, LinkedHashMap::new));
    List<VirtualGpu> vgpus = new ArrayList<>();
    if (vgpuArray != null) {
      for (int j = 0; j < vgpuArray.size(); j++) {
        String p = path + ".vgpu_instances[" + j + "]";
        JsonNode v = vgpuArray.get(j);
        try {
          vgpus.add(mdev(v, p, pciAddress, vfAddresses, ctx));
        } catch (BadEntry e) {
          ctx.unusable(p, v != null && v.isObject() ? readableUuid(v.get("mdev_uuid")) : null, e.getMessage());
        }
      }
    }

    boolean hostsChildren = (vgpuArray != null && !vgpuArray.isEmpty()) || (vfArray != null && !vfArray.isEmpty());
    if (enabled && (hostsChildren || numVfs > 0)) {
      ctx.warn(path, pciAddress, fpPath + ".enabled: 1, but the GPU "
          + (hostsChildren ? "hosts vGPUs or VFs" : "has " + numVfs + " SR-IOV VFs enabled")
          + ": it is never offered whole");
      enabled = false;
    }
    return new DiscoveredGpu(pciAddress, vendorId, deviceId, vendor, device, driver, pciClass, iommuGroup, pciRoot,
        numaNode, totalVfs, numVfs, new FullPassthrough(enabled, fpAddress, fpUsedBy), maxInstances, videoRam,
        maxHeads, maxResolutionX, maxResolutionY, vgpus, vfs);
  }

  private static VirtualGpu vf(JsonNode v, String p, Context ctx) {
    requireObject(v, p);
    String address = requiredPci(v, p, "vf_pci_address");
    String profile = optionalString(v, p, "vf_profile");
    if (profile != null) {
      profile = profile.strip();
      if (profile.length() > MAX_NAME) {
        throw new BadEntry(p + ".vf_profile: longer than " + MAX_NAME + " characters");
      }
    }
    return new VirtualGpu(address, profile, optionalInt(v, p, "max_instances"), optionalLong(v, p, "video_ram"),
        optionalInt(v, p, "max_heads"), optionalInt(v, p, "max_resolution_x"), optionalInt(v, p, "max_resolution_y"),
        derivedLibvirtAddress(v, p, address, p, ctx), usedByVm(v, p), driver(v, p, address, ctx),
        iommuGroup(v, p, address, ctx), stringList(v, p, "vgpu_types"), null);
  }

  private static VirtualGpu mdev(JsonNode v, String p, String gpuAddress, Map<String, String> vfAddresses,
      Context ctx) {
    requireObject(v, p);
    String uuid = requiredUuid(v, p, "mdev_uuid");
    String profile = requiredNonEmpty(v, p, "profile_name");
    if (profile.length() > MAX_NAME) {
      throw new BadEntry(p + ".profile_name: longer than " + MAX_NAME + " characters");
    }
    LibvirtAddress la = null;
    PciAddress onFunction = null;
    String laProblem = null;
    JsonNode laNode = v.get("libvirt_address");
    if (!isNull(laNode)) {
      try {
        onFunction = libvirtPci(laNode, p + ".libvirt_address");
        la = onFunction.libvirtAddress();
      } catch (BadEntry e) {
        laProblem = e.getMessage();
      }
    }
    JsonNode parentNode = v.get("parent_pci_address");
    if (!sentinel(parentNode)) {
      if (!parentNode.isTextual()) {
        throw new BadEntry(p + ".parent_pci_address: expected a string, got " + describe(parentNode));
      }
      Optional<PciAddress> parent = PciAddress.tryParseStrict(parentNode.textValue());
      if (parent.isPresent()) {
        onFunction = parent.get();
      } else {
        ctx.warn(p, uuid, p + ".parent_pci_address: expected a PCI address, got " + quote(parentNode.textValue())
            + "; taken as the GPU itself");
      }
    } else if (laProblem != null) {
      ctx.warn(p, uuid, laProblem + "; the vGPU is taken as created on the GPU itself");
    }
    return new VirtualGpu(uuid, profile, optionalInt(v, p, "max_instances"), optionalLong(v, p, "video_ram"),
        optionalInt(v, p, "max_heads"), optionalInt(v, p, "max_resolution_x"), optionalInt(v, p, "max_resolution_y"),
        la, usedByVm(v, p), null, null, List.of(), hostFunction(onFunction, gpuAddress, vfAddresses, p, uuid, ctx));
  }

  /**
   * The VF an mdev is created on, or null for the GPU itself. CloudStack's script writes the domain of a VF's
   * libvirt address as 0x0000 whatever it is, so bus, slot and function are what identify the VF.
   */
  private static String hostFunction(PciAddress on, String gpuAddress, Map<String, String> vfAddresses, String p,
      String uuid, Context ctx) {
    if (on == null) {
      return null;
    }
    PciAddress gpu = PciAddress.parse(gpuAddress);
    if (sameFunction(on, gpu)) {
      return null;
    }
    for (String vf : vfAddresses.keySet()) {
      if (sameFunction(on, PciAddress.parse(vf))) {
        return vf;
      }
    }
    ctx.warn(p, uuid, p + ": created on " + on + ", which is neither this GPU nor one of its VFs;"
        + " taken as the GPU itself");
    return null;
  }

  private static boolean sameFunction(PciAddress on, PciAddress device) {
    return (on.domain() == device.domain() || on.domain() == 0) && on.bus() == device.bus()
        && on.slot() == device.slot() && on.function() == device.function();
  }

  // ---- addresses -------------------------------------------------------------------------------------

  /** The normalised PCI address in the node, or null when it is not one (nothing is reported). */
  private static String readablePci(JsonNode n) {
    return n != null && n.isTextual() ? PciAddress.tryParseStrict(n.textValue()).map(PciAddress::toString).orElse(null)
        : null;
  }

  private static String readableUuid(JsonNode n) {
    return n != null && n.isTextual() ? CanonicalUuid.tryNormalize(n.textValue()).orElse(null) : null;
  }

  private static String requiredPci(JsonNode obj, String path, String field) {
    String s = requiredString(obj, path, field);
    String n = PciAddress.tryParseStrict(s).map(PciAddress::toString).orElse(null);
    if (n == null) {
      throw new BadEntry(path + "." + field + ": expected a PCI address like \"01:00.0\" or \"0000:01:00.0\", got "
          + quote(s));
    }
    return n;
  }

  private static String requiredHex4(JsonNode obj, String path, String field) {
    String s = requiredString(obj, path, field).strip();
    if (s.startsWith("0x") || s.startsWith("0X")) {
      s = s.substring(2);
    }
    if (!HEX4.matcher(s).matches()) {
      throw new BadEntry(path + "." + field + ": expected 4 hex digits, got " + quote(obj.get(field).asText()));
    }
    return s.toLowerCase(Locale.ROOT);
  }

  private static String requiredUuid(JsonNode obj, String path, String field) {
    String s = requiredString(obj, path, field).strip();
    return CanonicalUuid.tryNormalize(s).orElseThrow(() -> new BadEntry(
        path + "." + field + ": expected a UUID like \"4b20d080-1b54-4048-85b3-a6a62d165c01\", got " + quote(s)));
  }

  /**
   * The libvirt address of {@code pciAddress}, which is authoritative: a libvirt_address in the entry that
   * cannot be read or names another function is a warning.
   */
  private static LibvirtAddress derivedLibvirtAddress(JsonNode obj, String path, String pciAddress, String entry,
      Context ctx) {
    PciAddress address = PciAddress.parse(pciAddress);
    JsonNode la = obj.get("libvirt_address");
    if (!isNull(la)) {
      String p = path + ".libvirt_address";
      try {
        PciAddress given = libvirtPci(la, p);
        if (!given.equals(address)) {
          ctx.warn(entry, pciAddress, p + ": names " + given + ", not " + pciAddress
              + " of pci_address; the address of pci_address is used");
        }
      } catch (BadEntry e) {
        ctx.warn(entry, pciAddress, e.getMessage() + "; the libvirt address is derived from pci_address");
      }
    }
    return address.libvirtAddress();
  }

  /** A libvirt_address object as a PCI address; BadEntry naming the field when it cannot be read. */
  private static PciAddress libvirtPci(JsonNode la, String p) {
    if (!la.isObject()) {
      throw new BadEntry(p + ": expected an object, got " + describe(la));
    }
    long domain = libvirtHex(la, p, "domain");
    long bus = libvirtHex(la, p, "bus");
    long slot = libvirtHex(la, p, "slot");
    long function = libvirtHex(la, p, "function");
    if (domain > 0xffff_ffffL || bus > 0xff || slot > 0x1f || function > 7) {
      throw new BadEntry(p + ": " + String.format(Locale.ROOT, "%x:%x:%x.%x", domain, bus, slot, function)
          + " is not a PCI address");
    }
    return new PciAddress(domain, (int) bus, (int) slot, (int) function);
  }

  private static long libvirtHex(JsonNode la, String path, String field) {
    JsonNode n = la.get(field);
    if (n == null || n.isNull()) {
      throw new BadEntry(path + "." + field + ": missing (expected a hex string like \"0x00\")");
    }
    if (!n.isTextual()) {
      throw new BadEntry(path + "." + field + ": expected a hex string like \"0x00\", got " + describe(n));
    }
    Matcher m = LIBVIRT_HEX.matcher(n.textValue().strip());
    if (!m.matches()) {
      throw new BadEntry(path + "." + field + ": expected a hex string like \"0x00\", got " + quote(n.textValue()));
    }
    return Long.parseLong(m.group(1), 16);
  }

  // ---- descriptive fields: unknown when unreadable ---------------------------------------------------

  /** vendor, device, pci_class: text up to 255 characters. */
  private static String name(JsonNode obj, String path, String field, String address, Context ctx) {
    String s = optionalString(obj, path, field);
    if (s != null && s.length() > MAX_NAME) {
      ctx.warn(path, address, path + "." + field + ": longer than " + MAX_NAME + " characters; cut");
      s = s.substring(0, MAX_NAME);
    }
    return s;
  }

  private static String driver(JsonNode obj, String path, String address, Context ctx) {
    String s = optionalString(obj, path, "driver");
    if (s != null && !DRIVER.matcher(s.strip()).matches()) {
      ctx.warn(path, address, path + ".driver: " + quote(s) + " is not a driver name; taken as unknown");
      return null;
    }
    return s == null ? null : s.strip();
  }

  private static String iommuGroup(JsonNode obj, String path, String address, Context ctx) {
    String s = optionalString(obj, path, "iommu_group");
    if (s != null && !IOMMU_GROUP.matcher(s.strip()).matches()) {
      ctx.warn(path, address, path + ".iommu_group: " + quote(s) + " is not a group number; taken as unknown");
      return null;
    }
    return s == null ? null : s.strip();
  }

  private static String pciRoot(JsonNode obj, String path, String address, Context ctx) {
    String s = optionalString(obj, path, "pci_root");
    if (s == null) {
      return null;
    }
    Optional<PciAddress> root = PciAddress.tryParseStrict(s);
    if (root.isEmpty()) {
      ctx.warn(path, address, path + ".pci_root: " + quote(s) + " is not a PCI address; taken as unknown");
      return null;
    }
    return root.get().toString();
  }

  // ---- scalars ---------------------------------------------------------------------------------------

  private static boolean isNull(JsonNode n) {
    return n == null || n.isNull() || n.isMissingNode();
  }

  /** null, -1, or a text that scripts print for "unknown". */
  private static boolean sentinel(JsonNode n) {
    if (isNull(n)) {
      return true;
    }
    if (n.isIntegralNumber()) {
      return n.bigIntegerValue().equals(BigInteger.ONE.negate());
    }
    return n.isTextual() && SENTINELS.contains(n.textValue().strip().toLowerCase(Locale.ROOT));
  }

  private static void requireObject(JsonNode n, String path) {
    if (n == null || !n.isObject()) {
      throw new BadEntry(path + ": expected an object, got " + describe(n));
    }
  }

  private static JsonNode optionalArray(JsonNode obj, String path, String field) {
    JsonNode n = obj.get(field);
    if (isNull(n)) {
      return null;
    }
    if (!n.isArray()) {
      throw new BadEntry(path + "." + field + ": expected an array, got " + describe(n));
    }
    return n;
  }

  private static List<String> stringList(JsonNode obj, String path, String field) {
    JsonNode n = optionalArray(obj, path, field);
    if (n == null) {
      return List.of();
    }
    List<String> out = new ArrayList<>();
    for (int i = 0; i < n.size(); i++) {
      if (!n.get(i).isTextual()) {
        throw new BadEntry(path + "." + field + "[" + i + "]: expected a string, got " + describe(n.get(i)));
      }
      String s = n.get(i).textValue().strip();
      if (s.length() > MAX_NAME) {
        throw new BadEntry(path + "." + field + "[" + i + "]: longer than " + MAX_NAME + " characters");
      }
      if (!s.isEmpty()) {
        out.add(s);
      }
    }
    return out;
  }

  private static String requiredString(JsonNode obj, String path, String field) {
    JsonNode n = obj.get(field);
    if (n == null || n.isNull()) {
      throw new BadEntry(path + "." + field + ": missing");
    }
    if (!n.isTextual()) {
      throw new BadEntry(path + "." + field + ": expected a string, got " + describe(n));
    }
    return n.textValue();
  }

  private static String requiredNonEmpty(JsonNode obj, String path, String field) {
    String s = requiredString(obj, path, field).strip();
    if (s.isEmpty()) {
      throw new BadEntry(path + "." + field + ": must not be empty");
    }
    return s;
  }

  /**
   * A string, or null when absent or a sentinel. Numbers are accepted as their text (some scripts print
   * iommu_group 14).
   */
  private static String optionalString(JsonNode obj, String path, String field) {
    JsonNode n = obj.get(field);
    if (sentinel(n)) {
      return null;
    }
    if (n.isTextual()) {
      return n.textValue();
    }
    if (n.isIntegralNumber()) {
      return n.asText();
    }
    throw new BadEntry(path + "." + field + ": expected a string, got " + describe(n));
  }

  /**
   * The VM that uses the device, or null. A name longer than a libvirt domain name of ours can be (255
   * characters, as instances.vm_name keeps it) makes the entry unusable: the device is in use, by something the
   * inventory cannot name, so it is neither offered nor trusted.
   */
  private static String usedByVm(JsonNode obj, String path) {
    String s = optionalString(obj, path, "used_by_vm");
    if (s == null) {
      return null;
    }
    s = s.strip();
    if (s.length() > DiscoveryReportValidator.MAX_VM_NAME) {
      throw new BadEntry(path + ".used_by_vm: longer than " + DiscoveryReportValidator.MAX_VM_NAME
          + " characters (" + s.length() + "), got " + quote(s));
    }
    return s;
  }

  private static boolean requiredFlag(JsonNode obj, String path, String field) {
    JsonNode n = obj.get(field);
    if (n == null || n.isNull()) {
      throw new BadEntry(path + "." + field + ": missing (expected 1, 0, true or false)");
    }
    if (n.isBoolean()) {
      return n.booleanValue();
    }
    if (n.isIntegralNumber()) {
      BigInteger v = n.bigIntegerValue();
      if (v.equals(BigInteger.ONE)) {
        return true;
      }
      if (v.signum() == 0) {
        return false;
      }
    }
    if (n.isTextual()) {
      switch (n.textValue().strip().toLowerCase(Locale.ROOT)) {
        case "1", "true":
          return true;
        case "0", "false":
          return false;
        default:
          break;
      }
    }
    throw new BadEntry(path + "." + field + ": expected 1, 0, true or false, got " + describe(n));
  }

  /** -1 when unknown. */
  private static int numaNode(JsonNode obj, String path) {
    Long v = optionalLongValue(obj, path, "numa_node", -1, Integer.MAX_VALUE);
    return v == null ? -1 : v.intValue();
  }

  private static int countOrZero(JsonNode obj, String path, String field) {
    Integer v = optionalInt(obj, path, field);
    return v == null ? 0 : v;
  }

  private static Integer optionalInt(JsonNode obj, String path, String field) {
    Long v = optionalLongValue(obj, path, field, 0, Integer.MAX_VALUE);
    return v == null ? null : v.intValue();
  }

  private static Long optionalLong(JsonNode obj, String path, String field) {
    return optionalLongValue(obj, path, field, 0, Long.MAX_VALUE);
  }

  /** An integer (JSON number without fraction, or a numeric string) in [min, max], or null when a sentinel. */
  private static Long optionalLongValue(JsonNode obj, String path, String field, long min, long max) {
    JsonNode n = obj.get(field);
    if (sentinel(n)) {
      return null;
    }
    String p = path + "." + field;
    BigInteger value;
    if (n.isIntegralNumber()) {
      value = n.bigIntegerValue();
    } else if (n.isTextual() && INT_STRING.matcher(n.textValue().strip()).matches()) {
      value = new BigInteger(n.textValue().strip().replaceFirst("^\\+", ""));
    } else {
      throw new BadEntry(p + ": expected an integer, got " + describe(n));
    }
    if (value.compareTo(BigInteger.valueOf(min)) < 0 || value.compareTo(BigInteger.valueOf(max)) > 0) {
      throw new BadEntry(p + ": expected an integer from " + min + " to " + max + ", got " + value);
    }
    return value.longValue();
  }

  // ---- messages --------------------------------------------------------------------------------------

  private static String describe(JsonNode n) {
    if (n == null || n.isMissingNode()) {
      return "nothing";
    }
    JsonNodeType t = n.getNodeType();
    return switch (t) {
      case OBJECT -> "an object";
      case ARRAY -> "an array";
      case NULL -> "null";
      case BOOLEAN -> "boolean " + n.booleanValue();
      case NUMBER -> "number " + shorten(n.asText());
      case STRING -> "string " + quote(n.textValue());
      default -> t.name().toLowerCase(Locale.ROOT);
    };
  }

  private static String quote(String s) {
    if (s == null) {
      return "null";
    }
    StringBuilder b = new StringBuilder("\"");
    String shown = shorten(s);
    for (int i = 0; i < shown.length(); i++) {
      char c = shown.charAt(i);
      if (c == '"' || c == '\\') {
        b.append('\\').append(c);
      } else if (c < 0x20) {
        b.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
      } else {
        b.append(c);
      }
    }
    return b.append('"').toString();
  }

  private static String shorten(String s) {
    return s.length() <= MAX_SHOWN ? s : s.substring(0, MAX_SHOWN) + "...";
  }
}
