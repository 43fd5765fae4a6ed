package io.gpucloud.agent.discovery;

import io.gpucloud.activities.model.PciAddress;
import io.gpucloud.agent.domain.CanonicalUuid;
import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeType;
import io.gpucloud.activities.discovery.DiscoveredGpu;
import io.gpucloud.activities.discovery.DiscoveryReport;
import io.gpucloud.activities.discovery.FullPassthrough;
import io.gpucloud.activities.discovery.InvalidDiscoveryOutputException;
import io.gpucloud.activities.discovery.LibvirtAddress;
import io.gpucloud.activities.discovery.VirtualGpu;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Validates the JSON a discovery hook prints (the CloudStack 4.21 gpudiscovery.sh shape) and turns it into a
 * {@link DiscoveryReport}. Every error names the JSON path of what is wrong, e.g.
 * {@code gpus[2].vendor_id: expected 4 hex digits, got "zz"}.
 *
 * <p>Rules: the top level is an object with a {@code gpus} array (may be empty). Per GPU, pci_address,
 * vendor_id, device_id and full_passthrough{enabled} are required; everything else has a default. Integers
 * may be JSON numbers or numeric strings ("0"); enabled may be 1/0/true/false, also as strings. PCI
 * addresses "bb:ss.f" or "dddd:bb:ss.f" (4 to 8 hex digit domain) are normalised to lower-case "dddd:bb:ss.f";
 * mdev uuids to lower case. Unknown fields are ignored; duplicate JSON keys, wrong types and duplicate
 * addresses (GPU, VF or mdev) are errors. A missing libvirt_address of a GPU or VF is derived from its PCI
 * address; mdevs keep null. used_by_vm null, "" and "null" all mean none (null).
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
  private static final int MAX_SHOWN = 60;
  private static final int MAX_JSON_ERROR = 300;

  private DiscoveryParser() {}

  /**
   * Parses and validates discovery output.
   *
   * @throws InvalidDiscoveryOutputException with a message naming the JSON path of the first problem found
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
    Map<String, String> seen = new HashMap<>();
    List<DiscoveredGpu> result = new ArrayList<>(gpus.size());
    for (int i = 0; i < gpus.size(); i++) {
      result.add(parseGpu(gpus.get(i), "gpus[" + i + "]", seen));
    }
    return new DiscoveryReport(result);
  }

  private static DiscoveredGpu parseGpu(JsonNode gpu, String path, Map<String, String> seen) {
    requireObject(gpu, path);
    String pciAddress = requiredPci(gpu, path, "pci_address");
    unique(seen, "pci:" + pciAddress, pciAddress, path + ".pci_address");
    String vendorId = requiredHex4(gpu, path, "vendor_id");
    String deviceId = requiredHex4(gpu, path, "device_id");

    String fpPath = path + ".full_passthrough";
    JsonNode fp = gpu.get("full_passthrough");
    if (fp == null || fp.isNull()) {
      throw new InvalidDiscoveryOutputException(fpPath + ": missing (expected an object with \"enabled\")");
    }
    requireObject(fp, fpPath);
    boolean enabled = requiredFlag(fp, fpPath, "enabled");
    LibvirtAddress fpAddress = libvirtAddress(fp, fpPath);
    if (fpAddress == null) {
      fpAddress = PciAddress.parse(pciAddress).libvirtAddress();
    }
    FullPassthrough fullPassthrough = new FullPassthrough(enabled, fpAddress, usedByVm(fp, fpPath));

    List<VirtualGpu> vgpus = new ArrayList<>();
    JsonNode vgpuArray = optionalArray(gpu, path, "vgpu_instances");
    if (vgpuArray != null) {
      for (int j = 0; j < vgpuArray.size(); j++) {
        String p = path + ".vgpu_instances[" + j + "]";
        JsonNode v = vgpuArray.get(j);
        requireObject(v, p);
        String uuid = requiredUuid(v, p, "mdev_uuid");
        unique(seen, "mdev:" + uuid, uuid, p + ".mdev_uuid");
        String profile = requiredNonEmpty(v, p, "profile_name");
        vgpus.add(virtualGpu(v, p, uuid, profile, libvirtAddress(v, p)));
      }
    }

    List<VirtualGpu> vfs = new ArrayList<>();
    JsonNode vfArray = optionalArray(gpu, path, "vf_instances");
    if (vfArray != null) {
      for (int j = 0; j < vfArray.size(); j++) {
        String p = path + ".vf_instances[" + j + "]";
        JsonNode v = vfArray.get(j);
        requireObject(v, p);
        String vfAddress = requiredPci(v, p, "vf_pci_address");
        unique(seen, "pci:" + vfAddress, vfAddress, p + ".vf_pci_address");
        String profile = requiredNonEmpty(v, p, "vf_profile");
        LibvirtAddress la = libvirtAddress(v, p);
        vfs.add(virtualGpu(v, p, vfAddress, profile, la == null ? PciAddress.parse(vfAddress).libvirtAddress() : la));
      }
    }

    return new DiscoveredGpu(
        pciAddress,
        vendorId,
        deviceId,
        optionalString(gpu, path, "vendor"),
        optionalString(gpu, path, "device"),
        optionalString(gpu, path, "driver"),
        optionalString(gpu, path, "pci_class"),
        optionalString(gpu, path, "iommu_group"),
        optionalString(gpu, path, "pci_root"),
        numaNode(gpu, path),
        intOrDefault(gpu, path, "sriov_totalvfs", 0),
        intOrDefault(gpu, path, "sriov_numvfs", 0),
        fullPassthrough,
        optionalInt(gpu, path, "max_instances"),
        optionalLong(gpu, path, "video_ram"),
        optionalInt(gpu, path, "max_heads"),
        optionalInt(gpu, path, "max_resolution_x"),
        optionalInt(gpu, path, "max_resolution_y"),
        vgpus,
        vfs);
  }

  private static VirtualGpu virtualGpu(
      JsonNode v, String p, String address, String profile, LibvirtAddress libvirtAddress) {
    return new VirtualGpu(
        address,
        profile,
        optionalInt(v, p, "max_instances"),
        optionalLong(v, p, "video_ram"),
        optionalInt(v, p, "max_heads"),
        optionalInt(v, p, "max_resolution_x"),
        optionalInt(v, p, "max_resolution_y"),
        libvirtAddress,
        usedByVm(v, p));
  }

  // ---- addresses -------------------------------------------------------------------------------------

  private static void unique(Map<String, String> seen, String key, String shown, String path) {
    String earlier = seen.putIfAbsent(key, path);
    if (earlier != null) {
      throw new InvalidDiscoveryOutputException(
          path + ": duplicate address \"" + shown + "\", already reported at " + earlier);
    }
  }

  private static String requiredPci(JsonNode obj, String path, String field) {
    String s = requiredString(obj, path, field);
    String n = PciAddress.tryParseStrict(s).map(PciAddress::toString).orElse(null);
    if (n == null) {
      throw new InvalidDiscoveryOutputException(
          path + "." + field + ": expected a PCI address like \"01:00.0\" or \"0000:01:00.0\", got "
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
      throw new InvalidDiscoveryOutputException(
          path + "." + field + ": expected 4 hex digits, got " + quote(obj.get(field).asText()));
    }
    return s.toLowerCase(Locale.ROOT);
  }

  private static String requiredUuid(JsonNode obj, String path, String field) {
    String s = requiredString(obj, path, field).strip();
    return CanonicalUuid.tryNormalize(s).orElseThrow(() -> new InvalidDiscoveryOutputException(
        path + "." + field + ": expected a UUID like \"4b20d080-1b54-4048-85b3-a6a62d165c01\", got " + quote(s)));
  }

  private static LibvirtAddress libvirtAddress(JsonNode obj, String path) {
    JsonNode la = obj.get("libvirt_address");
    if (la == null || la.isNull()) {
      return null;
    }
    String p = path + ".libvirt_address";
    requireObject(la, p);
    return new LibvirtAddress(
        libvirtHex(la, p, "domain"), libvirtHex(la, p, "bus"), libvirtHex(la, p, "slot"),
        libvirtHex(la, p, "function"));
  }

  private static String libvirtHex(JsonNode la, String path, String field) {
    JsonNode n = la.get(field);
    if (n == null || n.isNull()) {
      throw new InvalidDiscoveryOutputException(path + "." + field + ": missing (expected a hex string like \"0x00\")");
    }
    if (!n.isTextual()) {
      throw new InvalidDiscoveryOutputException(
          path + "." + field + ": expected a hex string like \"0x00\", got " + describe(n));
    }
    Matcher m = LIBVIRT_HEX.matcher(n.textValue().strip());
    if (!m.matches()) {
      throw new InvalidDiscoveryOutputException(
          path + "." + field + ": expected a hex string like \"0x00\", got " + quote(n.textValue()));
    }
    return "0x" + m.group(1).toLowerCase(Locale.ROOT);
  }

  // ---- scalars ---------------------------------------------------------------------------------------

  private static void requireObject(JsonNode n, String path) {
    if (n == null || !n.isObject()) {
      throw new InvalidDiscoveryOutputException(path + ": expected an object, got " + describe(n));
    }
  }

  private static JsonNode optionalArray(JsonNode obj, String path, String field) {
    JsonNode n = obj.get(field);
    if (n == null || n.isNull()) {
      return null;
    }
    if (!n.isArray()) {
      throw new InvalidDiscoveryOutputException(path + "." + field + ": expected an array, got " + describe(n));
    }
    return n;
  }

  private static String requiredString(JsonNode obj, String path, String field) {
    JsonNode n = obj.get(field);
    if (n == null || n.isNull()) {
      throw new InvalidDiscoveryOutputException(path + "." + field + ": missing");
    }
    if (!n.isTextual()) {
      throw new InvalidDiscoveryOutputException(path + "." + field + ": expected a string, got " + describe(n));
    }
    return n.textValue();
  }

  private static String requiredNonEmpty(JsonNode obj, String path, String field) {
    String s = requiredString(obj, path, field).strip();
    if (s.isEmpty()) {
      throw new InvalidDiscoveryOutputException(path + "." + field + ": must not be empty");
    }
    return s;
  }

  /** A string, or null when absent/null. Numbers are accepted as their text (some scripts print iommu_group 14). */
  private static String optionalString(JsonNode obj, String path, String field) {
    JsonNode n = obj.get(field);
    if (n == null || n.isNull()) {
      return null;
    }
    if (n.isTextual()) {
      return n.textValue();
    }
    if (n.isIntegralNumber()) {
      return n.asText();
    }
    throw new InvalidDiscoveryOutputException(path + "." + field + ": expected a string, got " + describe(n));
  }

  private static String usedByVm(JsonNode obj, String path) {
    String s = optionalString(obj, path, "used_by_vm");
    if (s == null) {
      return null;
    }
    s = s.strip();
    return s.isEmpty() || s.equals("null") ? null : s;
  }

  private static boolean requiredFlag(JsonNode obj, String path, String field) {
    JsonNode n = obj.get(field);
    if (n == null || n.isNull()) {
      throw new InvalidDiscoveryOutputException(path + "." + field + ": missing (expected 1, 0, true or false)");
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
    throw new InvalidDiscoveryOutputException(
        path + "." + field + ": expected 1, 0, true or false, got " + describe(n));
  }

  private static int numaNode(JsonNode obj, String path) {
    Long v = optionalLongValue(obj, path, "numa_node", -1, Integer.MAX_VALUE);
    return v == null ? -1 : v.intValue();
  }

  private static int intOrDefault(JsonNode obj, String path, String field, int dflt) {
    Integer v = optionalInt(obj, path, field);
    return v == null ? dflt : v;
  }

  private static Integer optionalInt(JsonNode obj, String path, String field) {
    Long v = optionalLongValue(obj, path, field, 0, Integer.MAX_VALUE);
    return v == null ? null : v.intValue();
  }

  private static Long optionalLong(JsonNode obj, String path, String field) {
    return optionalLongValue(obj, path, field, 0, Long.MAX_VALUE);
  }

  /** An integer (JSON number without fraction, or a numeric string) in [min, max], or null when absent/null/"". */
  private static Long optionalLongValue(JsonNode obj, String path, String field, long min, long max) {
    JsonNode n = obj.get(field);
    if (n == null || n.isNull()) {
      return null;
    }
    String p = path + "." + field;
    BigInteger value;
    if (n.isIntegralNumber()) {
      value = n.bigIntegerValue();
    } else if (n.isTextual() && INT_STRING.matcher(n.textValue().strip()).matches()) {
      value = new BigInteger(n.textValue().strip().replaceFirst("^\\+", ""));
    } else if (n.isTextual() && n.textValue().isBlank()) {
      return null;
    } else {
      throw new InvalidDiscoveryOutputException(p + ": expected an integer, got " + describe(n));
    }
    if (value.compareTo(BigInteger.valueOf(min)) < 0 || value.compareTo(BigInteger.valueOf(max)) > 0) {
      throw new InvalidDiscoveryOutputException(
          p + ": expected an integer from " + min + " to " + max + ", got " + value);
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
