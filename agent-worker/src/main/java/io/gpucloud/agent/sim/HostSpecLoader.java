package io.gpucloud.agent.sim;

import io.gpucloud.activities.model.PciAddress;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads and validates a simulated host spec (YAML). Every problem is an {@link InvalidHostSpecException} whose
 * message names the file and the field, e.g. {@code hosts/H1.yml: gpus[4].vgpuProfile: 'sim-16q' is not a
 * profile of card 'pro' (profiles: sim-8q, sim-4q, sim-2q)}. Unknown keys are rejected too (a typo must not be
 * silently ignored).
 */
public final class HostSpecLoader {

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final Pattern HOST_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");
  private static final Pattern POOL_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");
  private static final Pattern HEX4 = Pattern.compile("[0-9a-f]{4}");

  private HostSpecLoader() {}

  /** Loads and validates the spec in {@code yaml}. */
  public static HostSpec load(Path yaml) {
    String text;
    try {
      text = Files.readString(yaml, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read host spec " + yaml + ": " + e, e);
    }
    return parse(text, yaml.toString());
  }

  /** Parses and validates YAML text; {@code source} (a file name, may be null) prefixes error messages. */
  public static HostSpec parse(String yamlText, String source) {
    JsonNode root;
    try {
      root = YAML.readTree(yamlText);
    } catch (JsonProcessingException e) {
      String where = e.getLocation() == null ? ""
          : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
      throw new InvalidHostSpecException(source, "(document)", "not valid YAML" + where + ": " + e.getOriginalMessage()
          + " (quote PCI addresses and ids: address: \"0000:00:01.0\", deviceId: \"0001\")", e);
    }
    if (root == null || root.isMissingNode() || root.isNull()) {
      throw new InvalidHostSpecException(source, "(document)", "is empty");
    }
    Obj top = new Obj(source, root, "", "name", "cpuCores", "cpuMhz", "memoryMb", "numaNodes", "cpuModel", "cards",
        "gpus", "storagePool");
    String name = top.str("name", true);
    int cpuCores = top.integer("cpuCores", null);
    int cpuMhz = top.integer("cpuMhz", null);
    long memoryMb = top.lng("memoryMb", null);
    int numaNodes = top.integer("numaNodes", 1);
    String cpuModel = top.str("cpuModel", false);
    List<HostSpec.Card> cards = new ArrayList<>();
    List<JsonNode> cardNodes = top.list("cards");
    for (int i = 0; i < cardNodes.size(); i++) {
      cards.add(card(source, cardNodes.get(i), "cards[" + i + "]"));
    }
    List<HostSpec.Gpu> gpus = new ArrayList<>();
    List<JsonNode> gpuNodes = top.list("gpus");
    for (int i = 0; i < gpuNodes.size(); i++) {
      gpus.add(gpu(source, gpuNodes.get(i), "gpus[" + i + "]"));
    }
    HostSpec spec = new HostSpec(name, cpuCores, cpuMhz, memoryMb, numaNodes, cpuModel, cards, gpus,
        storagePool(source, root.get("storagePool")));
    validate(spec, source);
    return spec;
  }

  private static HostSpec.StoragePool storagePool(String source, JsonNode node) {
    if (node == null || node.isNull()) {
      return HostSpec.StoragePool.DEFAULT;
    }
    Obj o = new Obj(source, node, "storagePool", "name", "path", "shared");
    String name = o.str("name", true);
    if (!POOL_NAME.matcher(name).matches()) {
      throw o.error("name", "'" + name + "' must be letters, digits, '.', '_' or '-' (at most 63)");
    }
    JsonNode shared = node.get("shared");
    if (shared != null && !shared.isNull() && !shared.isBoolean()) {
      throw o.error("shared", "must be true or false");
    }
    return new HostSpec.StoragePool(name, o.str("path", false), shared != null && shared.asBoolean(false));
  }

  private static HostSpec.Card card(String source, JsonNode node, String path) {
    Obj o = new Obj(source, node, path, "key", "vendorId", "deviceId", "vendor", "device", "profiles");
    List<HostSpec.Profile> profiles = new ArrayList<>();
    List<JsonNode> nodes = o.list("profiles");
    for (int i = 0; i < nodes.size(); i++) {
      Obj p = new Obj(source, nodes.get(i), path + ".profiles[" + i + "]", "name", "videoRamMb", "maxHeads",
          "maxResolutionX", "maxResolutionY", "maxPerGpu");
      profiles.add(new HostSpec.Profile(p.str("name", true), p.lng("videoRamMb", null), p.integer("maxHeads", null),
          p.integer("maxResolutionX", null), p.integer("maxResolutionY", null), p.integer("maxPerGpu", null)));
    }
    return new HostSpec.Card(o.str("key", true), hexId(o, "vendorId"), hexId(o, "deviceId"), o.str("vendor", true),
        o.str("device", true), profiles);
  }

  private static String hexId(Obj o, String field) {
    String v = o.str(field, true).toLowerCase(Locale.ROOT);
    if (v.startsWith("0x")) v = v.substring(2);
    if (!HEX4.matcher(v).matches()) {
      throw o.error(field, "'" + v + "' is not 4 hex digits (write it quoted, e.g. \"1ae0\")");
    }
    return v;
  }

  private static HostSpec.Gpu gpu(String source, JsonNode node, String path) {
    Obj o = new Obj(source, node, path, "address", "card", "numaNode", "pciRoot", "iommuGroup", "vgpuProfile",
        "vgpuCount", "vfProfile", "vfCount", "usedByVm", "instancesUsedByVm");
    String address = o.address("address", true);
    List<String> used = null;
    JsonNode usedNode = node.get("instancesUsedByVm");
    if (usedNode != null && !usedNode.isNull()) {
      if (!usedNode.isArray()) throw o.error("instancesUsedByVm", "must be a list of VM names (null for a free one)");
      used = new ArrayList<>();
      for (int i = 0; i < usedNode.size(); i++) {
        JsonNode e = usedNode.get(i);
        if (e.isNull()) {
          used.add(null);
        } else if (e.isTextual() && !e.asText().isBlank()) {
          used.add(e.asText().trim());
        } else {
          throw o.error("instancesUsedByVm[" + i + "]", "must be a VM name or null");
        }
      }
    }
    return new HostSpec.Gpu(address, o.str("card", true), o.integer("numaNode", 0), o.address("pciRoot", false),
        o.optInteger("iommuGroup"),
        o.str("vgpuProfile", false), o.optInteger("vgpuCount"), o.str("vfProfile", false), o.optInteger("vfCount"),
        o.str("usedByVm", false), used);
  }

  /** Checks a spec built in code (the same rules {@link #load} applies). */
  public static HostSpec validate(HostSpec spec) {
    validate(spec, null);
    return spec;
  }

  private static void validate(HostSpec spec, String src) {
    if (spec.name() == null || spec.name().isBlank()) throw new InvalidHostSpecException(src, "name", "is required");
    if (!HOST_NAME.matcher(spec.name()).matches()) {
      throw new InvalidHostSpecException(src, "name",
          "'" + spec.name() + "' must be letters, digits, '.', '_' or '-' (at most 63)");
    }
    positive(src, "cpuCores", spec.cpuCores());
    positive(src, "cpuMhz", spec.cpuMhz());
    positive(src, "memoryMb", spec.memoryMb());
    positive(src, "numaNodes", spec.numaNodes());
    if (spec.cpuCores() % spec.numaNodes() != 0) {
      throw new InvalidHostSpecException(src, "cpuCores",
          spec.cpuCores() + " is not a multiple of numaNodes (" + spec.numaNodes() + ")");
    }

    Map<String, String> cardKeys = new HashMap<>();
    Map<String, String> cardIds = new HashMap<>();
    for (int i = 0; i < spec.cards().size(); i++) {
      HostSpec.Card c = spec.cards().get(i);
      String p = "cards[" + i + "]";
      required(src, p + ".key", c.key());
      required(src, p + ".vendor", c.vendor());
      required(src, p + ".device", c.device());
      if (c.vendorId() == null || !HEX4.matcher(c.vendorId()).matches()) {
        throw new InvalidHostSpecException(src, p + ".vendorId", "'" + c.vendorId() + "' is not 4 lower-case hex digits");
      }
      if (c.deviceId() == null || !HEX4.matcher(c.deviceId()).matches()) {
        throw new InvalidHostSpecException(src, p + ".deviceId", "'" + c.deviceId() + "' is not 4 lower-case hex digits");
      }
      String prev = cardKeys.put(c.key(), p);
      if (prev != null) throw new InvalidHostSpecException(src, p + ".key", "'" + c.key() + "' is also used by " + prev);
      prev = cardIds.put(c.vendorId() + ":" + c.deviceId(), p);
      if (prev != null) {
        throw new InvalidHostSpecException(src, p + ".deviceId",
            c.vendorId() + ":" + c.deviceId() + " is also the id of " + prev);
      }
      Set<String> names = new LinkedHashSet<>();
      for (int j = 0; j < c.profiles().size(); j++) {
        HostSpec.Profile pr = c.profiles().get(j);
        String pp = p + ".profiles[" + j + "]";
        required(src, pp + ".name", pr.name());
        if (HostSpec.PASSTHROUGH.equalsIgnoreCase(pr.name())) {
          throw new InvalidHostSpecException(src, pp + ".name", "passthrough is implicit on every card: do not list it");
        }
        if (!names.add(pr.name())) {
          throw new InvalidHostSpecException(src, pp + ".name", "duplicate profile '" + pr.name() + "'");
        }
        positive(src, pp + ".videoRamMb", pr.videoRamMb());
        positive(src, pp + ".maxHeads", pr.maxHeads());
        positive(src, pp + ".maxResolutionX", pr.maxResolutionX());
        positive(src, pp + ".maxResolutionY", pr.maxResolutionY());
        positive(src, pp + ".maxPerGpu", pr.maxPerGpu());
      }
    }

    Map<PciAddress, String> addresses = new HashMap<>();
    Map<Integer, String> groups = new HashMap<>();
    for (int i = 0; i < spec.gpus().size(); i++) {
      HostSpec.Gpu g = spec.gpus().get(i);
      String p = "gpus[" + i + "]";
      PciAddress address = pci(src, p + ".address", g.address(), true);
      claim(src, addresses, address, p + ".address", p);
      if (g.pciRoot() != null) pci(src, p + ".pciRoot", g.pciRoot(), false);
      required(src, p + ".card", g.card());
      HostSpec.Card card = spec.card(g.card()).orElseThrow(() -> new InvalidHostSpecException(src, p + ".card",
          "unknown card key '" + g.card() + "' (cards: " + String.join(", ", keys(spec)) + ")"));
      if (g.numaNode() < 0 || g.numaNode() >= spec.numaNodes()) {
        throw new InvalidHostSpecException(src, p + ".numaNode",
            g.numaNode() + " is not a NUMA node of this host (0.." + (spec.numaNodes() - 1) + ")");
      }
      if (g.iommuGroup() != null) {
        if (g.iommuGroup() < 0) throw new InvalidHostSpecException(src, p + ".iommuGroup", "must be >= 0");
        String prev = groups.put(g.iommuGroup(), p);
        if (prev != null) {
          throw new InvalidHostSpecException(src, p + ".iommuGroup", g.iommuGroup() + " is also the group of " + prev);
        }
      }
      if (g.vgpuProfile() != null && g.vfProfile() != null) {
        throw new InvalidHostSpecException(src, p + ".vfProfile", "a GPU has either vgpuProfile or vfProfile, not both");
      }
      if (g.vgpuCount() != null && g.vgpuProfile() == null) {
        throw new InvalidHostSpecException(src, p + ".vgpuCount", "is only allowed with vgpuProfile");
      }
      if (g.vfCount() != null && g.vfProfile() == null) {
        throw new InvalidHostSpecException(src, p + ".vfCount", "is only allowed with vfProfile");
      }
      int children = 0;
      if (g.mode() != HostSpec.Mode.PASSTHROUGH) {
        String field = g.mode() == HostSpec.Mode.VGPU ? "vgpuProfile" : "vfProfile";
        String countField = g.mode() == HostSpec.Mode.VGPU ? "vgpuCount" : "vfCount";
        String profileName = g.mode() == HostSpec.Mode.VGPU ? g.vgpuProfile() : g.vfProfile();
        Integer count = g.mode() == HostSpec.Mode.VGPU ? g.vgpuCount() : g.vfCount();
        HostSpec.Profile profile = card.profile(profileName).orElseThrow(() -> new InvalidHostSpecException(src,
            p + "." + field, "'" + profileName + "' is not a profile of card '" + card.key() + "' (profiles: "
                + (card.profiles().isEmpty() ? "none, passthrough only"
                    : String.join(", ", card.profiles().stream().map(HostSpec.Profile::name).toList())) + ")"));
        children = count == null ? profile.maxPerGpu() : count;
        if (children < 1 || children > profile.maxPerGpu()) {
          throw new InvalidHostSpecException(src, p + "." + countField,
              children + " is not within 1.." + profile.maxPerGpu() + " (maxPerGpu of " + profileName + ")");
        }
        if (g.usedByVm() != null) {
          throw new InvalidHostSpecException(src, p + ".usedByVm",
              "a GPU with " + field + " is never assigned itself: use instancesUsedByVm");
        }
        if (g.instancesUsedByVm().size() > children) {
          throw new InvalidHostSpecException(src, p + ".instancesUsedByVm",
              "has " + g.instancesUsedByVm().size() + " entries but the GPU has " + children + " instances");
        }
      } else if (!g.instancesUsedByVm().isEmpty()) {
        throw new InvalidHostSpecException(src, p + ".instancesUsedByVm",
            "is only allowed with vgpuProfile or vfProfile (use usedByVm for a passthrough GPU)");
      }
      if (g.mode() == HostSpec.Mode.SRIOV) {
        for (int k = 0; k < children; k++) {
          PciAddress vf;
          try {
            vf = SimulatedDiscovery.vfAddress(address, k);
          } catch (IllegalArgumentException e) {
            throw new InvalidHostSpecException(src, p + ".vfCount", "VF " + k + " has no room: " + e.getMessage());
          }
          claim(src, addresses, vf, p + ".address", p + " (VF " + k + ")");
        }
      }
    }
  }

  private static void claim(String src, Map<PciAddress, String> addresses, PciAddress a, String field, String owner) {
    String prev = addresses.putIfAbsent(a, owner);
    if (prev != null) {
      throw new InvalidHostSpecException(src, field, "duplicate address " + a + " (also " + prev + ")");
    }
  }

  private static List<String> keys(HostSpec spec) {
    return spec.cards().stream().map(HostSpec.Card::key).toList();
  }

  private static PciAddress pci(String src, String field, String text, boolean required) {
    if (text == null) {
      if (required) throw new InvalidHostSpecException(src, field, "is required");
      return null;
    }
    try {
      return PciAddress.parse(text);
    } catch (IllegalArgumentException e) {
      throw new InvalidHostSpecException(src, field, e.getMessage());
    }
  }

  private static void required(String src, String field, String value) {
    if (value == null || value.isBlank()) throw new InvalidHostSpecException(src, field, "is required");
  }

  private static void positive(String src, String field, long value) {
    if (value < 1) throw new InvalidHostSpecException(src, field, "must be >= 1 (is " + value + ")");
  }

  /** A YAML mapping with a path, a set of allowed keys, and typed getters whose errors name the field. */
  private static final class Obj {
    private final String source;
    private final JsonNode node;
    private final String path;

    Obj(String source, JsonNode node, String path, String... allowed) {
      this.source = source;
      this.node = node;
      this.path = path;
      if (node == null || !node.isObject()) {
        throw new InvalidHostSpecException(source, path.isEmpty() ? "(document)" : path, "must be a mapping");
      }
      Set<String> ok = Set.of(allowed);
      for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
        String f = it.next();
        if (!ok.contains(f)) {
          throw error(f, "unknown field (allowed: " + String.join(", ", allowed) + ")");
        }
      }
    }

    String field(String f) {
      return path.isEmpty() ? f : path + "." + f;
    }

    InvalidHostSpecException error(String f, String problem) {
      return new InvalidHostSpecException(source, field(f), problem);
    }

    private JsonNode get(String f) {
      JsonNode v = node.get(f);
      return v == null || v.isNull() ? null : v;
    }

    String str(String f, boolean required) {
      JsonNode v = get(f);
      if (v == null) {
        if (required) throw error(f, "is required");
        return null;
      }
      if (!v.isTextual() && !v.isNumber() && !v.isBoolean()) throw error(f, "must be a text value");
      String s = v.asText().trim();
      if (s.isEmpty()) {
        if (required) throw error(f, "is required");
        return null;
      }
      return s;
    }

    String address(String f, boolean required) {
      JsonNode v = get(f);
      if (v == null) {
        if (required) throw error(f, "is required");
        return null;
      }
      if (!v.isTextual()) throw error(f, "must be a quoted PCI address such as \"0000:00:01.0\"");
      try {
        return PciAddress.parse(v.asText()).toString();
      } catch (IllegalArgumentException e) {
        throw error(f, e.getMessage());
      }
    }

    /** An int; {@code dflt} null means required. */
    int integer(String f, Integer dflt) {
      JsonNode v = get(f);
      if (v == null) {
        if (dflt == null) throw error(f, "is required");
        return dflt;
      }
      if (!v.isIntegralNumber() || !v.canConvertToInt()) throw error(f, "must be an integer (is " + v + ")");
      return v.intValue();
    }

    Integer optInteger(String f) {
      return get(f) == null ? null : integer(f, null);
    }

    long lng(String f, Long dflt) {
      JsonNode v = get(f);
      if (v == null) {
        if (dflt == null) throw error(f, "is required");
        return dflt;
      }
      if (!v.isIntegralNumber() || !v.canConvertToLong()) throw error(f, "must be an integer (is " + v + ")");
      return v.longValue();
    }

    List<JsonNode> list(String f) {
      JsonNode v = get(f);
      if (v == null) return List.of();
      if (!v.isArray()) throw error(f, "must be a list");
      List<JsonNode> out = new ArrayList<>();
      v.forEach(out::add);
      return out;
    }
  }
}
