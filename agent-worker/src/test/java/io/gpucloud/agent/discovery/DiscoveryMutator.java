package io.gpucloud.agent.discovery;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Near-valid discovery outputs for the fuzz test: a real sample output, parsed into a tree, with one to three
 * mutations of the tree (a field removed, given the wrong JSON type, a huge or negative number, a long or
 * megabyte string, a sentinel, a malformed or duplicated PCI address or uuid, an entry copied, deep nesting,
 * unknown fields) and, sometimes, of the text (truncated, a byte changed, invalid UTF-8 decoded as the hook
 * runner decodes it, a duplicate key, trailing garbage). Every choice comes from the {@link Random} it is
 * given, so a seed gives the same cases.
 */
final class DiscoveryMutator {
  static final ObjectMapper JSON = new ObjectMapper();
  private static final JsonNodeFactory F = JsonNodeFactory.instance;
  static final int MAX_OUTPUT_BYTES = io.gpucloud.agent.hooks.HookRunner.DEFAULT_MAX_OUTPUT_BYTES;
  static final String MEGABYTE = "x".repeat(1 << 20);
  static final String EMOJI_MEGABYTE = "\ud83d\ude00".repeat(300_000);

  /** What a case was made of: the mutations applied, for the failure message. */
  record Case(String input, List<String> mutations) {}

  private static final String[] BAD_PCI = {
      "0000:41:00.8", "41:20.0", "zz:00.0", "00000:41:00.0", "000000000:41:00.0", "41:00", "41.00.0", "41:00.0 ",
      " 41:00.0", "41:00.0\n", "0000:41:00.0:0", "-1:00.0", "0x41:00.0", "4:0.0", "ffffffff:ff:1f.7",
      "FFFFFFFF:FF:1F.7", "0000:41:00.0\u0000", "\u0661\u0662:00.0", "41:00.0; rm -rf /", "0000:4A:00.0",
      "0000:41:1f.7", "0000:41:20.0", "", " ", "null", "unknown", "-1"};
  private static final String[] BAD_UUID = {
      "3F1C9A52-6B0E-4D7A-9C3E-5A2B8F0D4E61", "3f1c9a52-6b0e-4d7a-9c3e-5a2b8f0d4e6", "3f1c9a526b0e4d7a9c3e5a2b8f0d4e61",
      "{3f1c9a52-6b0e-4d7a-9c3e-5a2b8f0d4e61}", "urn:uuid:3f1c9a52-6b0e-4d7a-9c3e-5a2b8f0d4e61", "1-2-3-4-5",
      " 3f1c9a52-6b0e-4d7a-9c3e-5a2b8f0d4e61 ", "3f1c9a52-6b0e-4d7a-9c3e-5a2b8f0d4e6g", "", "none"};
  private static final String[] ODD_TEXT = {
      "", " ", "null", "NULL", "None", "unknown", "n/a", "N/A", "-1", "0", "1", "true", "\u0000", "\t\n", "\ud800",
      "\udc00x", "x\ud83d", "\ud83d\ude00\ud83d\ude00", "\u202e\u0041", "\ufffd\ufffd", "\uffff", "a\u0000b",
      "<script>", "'; DROP TABLE gpu_devices; --", "%s%n", "\\", "\"", "nvidia ", " nvidia", "vfio-pci",
      "i-2-41-VM", "0x10de", "10DE", "0X10de", " 10de ", "10d", "10dee", "١٠de"};
  private static final String[] FIELDS = {
      "pci_address", "vendor_id", "device_id", "vendor", "device", "driver", "pci_class", "iommu_group", "pci_root",
      "numa_node", "sriov_totalvfs", "sriov_numvfs", "max_instances", "video_ram", "max_heads", "max_resolution_x",
      "max_resolution_y", "full_passthrough", "vgpu_instances", "vf_instances", "enabled", "libvirt_address",
      "used_by_vm", "mdev_uuid", "profile_name", "vf_pci_address", "vf_profile", "vgpu_types", "parent_pci_address",
      "domain", "bus", "slot", "function", "gpus"};

  private final Random rnd;
  private final List<String> applied = new ArrayList<>();
  private final List<String> deep = new ArrayList<>();

  DiscoveryMutator(Random rnd) {
    this.rnd = rnd;
  }

  /**
   * One case from the sample: tree mutations, then text mutations now and then; at most
   * {@link #MAX_OUTPUT_BYTES} (what HookRunner lets a hook print), drawn again when larger.
   */
  Case mutate(String sample) {
    while (true) {
      Case c = mutateOnce(sample);
      if (c.input().length() <= MAX_OUTPUT_BYTES / 2
          || c.input().getBytes(StandardCharsets.UTF_8).length <= MAX_OUTPUT_BYTES) {
        return c;
      }
    }
  }

  private Case mutateOnce(String sample) {
    applied.clear();
    deep.clear();
    JsonNode root;
    try {
      root = JSON.readTree(sample);
    } catch (Exception e) {
      throw new IllegalStateException("sample is not JSON", e);
    }
    int n = 1 + rnd.nextInt(3);
    for (int i = 0; i < n; i++) {
      root = mutateTree(root);
    }
    String text;
    try {
      text = rnd.nextBoolean() ? JSON.writeValueAsString(root) : JSON.writerWithDefaultPrettyPrinter()
          .writeValueAsString(root);
    } catch (Exception e) {
      // a lone surrogate cannot be written as UTF-8 by Jackson's generator: write it escaped ourselves
      text = root.toString();
    }
    for (int i = 0; i < deep.size(); i++) {
      text = text.replace("\"__deep_" + i + "__\"", deep.get(i));
    }
    if (rnd.nextInt(4) == 0) {
      text = mutateText(text);
    }
    return new Case(text, List.copyOf(applied));
  }

  // ---- tree ------------------------------------------------------------------------------------------

  /** Every container node with the path to it. */
  private static void containers(JsonNode n, String path, List<Map.Entry<String, JsonNode>> out, int depth) {
    if (depth > 12) {
      return;
    }
    if (n.isObject() || n.isArray()) {
      out.add(Map.entry(path, n));
      if (n.isObject()) {
        for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
          Map.Entry<String, JsonNode> e = it.next();
          containers(e.getValue(), path + "." + e.getKey(), out, depth + 1);
        }
      } else {
        for (int i = 0; i < n.size(); i++) {
          containers(n.get(i), path + "[" + i + "]", out, depth + 1);
        }
      }
    }
  }

  /** Every text value of these fields, anywhere: the addresses and uuids to copy into another entry. */
  private static void texts(JsonNode n, String field, List<String> out) {
    if (n.isObject()) {
      n.fields().forEachRemaining(e -> {
        if (e.getKey().equals(field) && e.getValue().isTextual()) {
          out.add(e.getValue().textValue());
        }
        texts(e.getValue(), field, out);
      });
    } else if (n.isArray()) {
      n.forEach(c -> texts(c, field, out));
    }
  }

  private JsonNode mutateTree(JsonNode root) {
    if (root == null || !root.isContainerNode()) {
      return root == null ? F.nullNode() : root;
    }
    if (rnd.nextInt(40) == 0) {
      JsonNode replaced = wholeDocument(root);
      if (replaced != null) {
        return replaced;
      }
    }
    List<Map.Entry<String, JsonNode>> cs = new ArrayList<>();
    containers(root, "$", cs, 0);
    // objects (entries) are where bugs hide: pick one most of the time
    List<Map.Entry<String, JsonNode>> objects = cs.stream().filter(e -> e.getValue().isObject()).toList();
    Map.Entry<String, JsonNode> target = !objects.isEmpty() && rnd.nextInt(5) > 0
        ? objects.get(rnd.nextInt(objects.size())) : cs.get(rnd.nextInt(cs.size()));
    String path = target.getKey();
    JsonNode node = target.getValue();
    if (node.isArray()) {
      ArrayNode a = (ArrayNode) node;
      switch (rnd.nextInt(6)) {
        case 0 -> {
          if (a.size() > 0) {
            int i = rnd.nextInt(a.size());
            a.remove(i);
            note("remove " + path + "[" + i + "]");
          }
        }
        case 1 -> {
          if (a.size() > 0) {
            int i = rnd.nextInt(a.size());
            a.add(a.get(i).deepCopy());
            note("duplicate entry " + path + "[" + i + "]");
          }
        }
        case 2 -> {
          a.add(value());
          note("append odd value to " + path);
        }
        case 3 -> {
          if (a.size() > 1) {
            int i = rnd.nextInt(a.size());
            JsonNode x = a.remove(i);
            a.insert(rnd.nextInt(a.size() + 1), x);
            note("move entry " + path + "[" + i + "]");
          }
        }
        case 4 -> {
          int copies = 50 + rnd.nextInt(400);
          JsonNode model = a.size() > 0 ? a.get(rnd.nextInt(a.size())) : null;
          if (model != null && model.isObject() && model.toString().length() < 20_000) {
            for (int i = 0; i < copies; i++) {
              a.add(model.deepCopy());
            }
            note("append " + copies + " copies of an entry to " + path);
          }
        }
        default -> {
          a.removeAll();
          note("empty " + path);
        }
      }
      return root;
    }
    ObjectNode o = (ObjectNode) node;
    List<String> names = new ArrayList<>();
    o.fieldNames().forEachRemaining(names::add);
    String field = names.isEmpty() || rnd.nextInt(6) == 0 ? FIELDS[rnd.nextInt(FIELDS.length)]
        : names.get(rnd.nextInt(names.size()));
    String where = path + "." + field;
    JsonNode old = o.get(field);
    switch (rnd.nextInt(14)) {
      case 0 -> {
        o.remove(field);
        note("remove " + where);
      }
      case 1, 2 -> {
        JsonNode v = value();
        o.set(field, v);
        note("set " + where + " = " + shown(v));
      }
      case 3 -> {
        JsonNode v = number();
        o.set(field, v);
        note("set " + where + " = " + shown(v));
      }
      case 4 -> {
        String s = longText();
        o.put(field, s);
        note("set " + where + " = string of " + s.length() + " chars");
      }
      case 5 -> {
        String s = BAD_PCI[rnd.nextInt(BAD_PCI.length)];
        o.put(field, s);
        note("set " + where + " = " + shown(F.textNode(s)));
      }
      case 6 -> {
        String s = BAD_UUID[rnd.nextInt(BAD_UUID.length)];
        o.put(field, s);
        note("set " + where + " = " + shown(F.textNode(s)));
      }
      case 7 -> { // an address of another entry: duplicates, and mdevs / VFs on other functions
        String kind = new String[] {"pci_address", "vf_pci_address", "mdev_uuid", "parent_pci_address",
            "pci_root"}[rnd.nextInt(5)];
        List<String> all = new ArrayList<>();
        texts(root, kind, all);
        if (!all.isEmpty()) {
          String s = all.get(rnd.nextInt(all.size()));
          if (rnd.nextBoolean()) {
            s = rnd.nextBoolean() ? s.toUpperCase() : s.replaceFirst("^0000:", "");
          }
          String f = rnd.nextBoolean() ? field : kind;
          o.put(f, s);
          note("set " + path + "." + f + " = " + kind + " of another entry " + shown(F.textNode(s)));
        }
      }
      case 8 -> {
        int depth = rnd.nextInt(3) == 0 ? 1000 + rnd.nextInt(100_000) : 1 + rnd.nextInt(900);
        // written by hand: Jackson's generator refuses to write what its parser would refuse to read
        String marker = "__deep_" + deep.size() + "__";
        deep.add("[".repeat(depth) + (old == null ? "1" : "\"x\"") + "]".repeat(depth));
        o.put(field, marker);
        note("nest " + where + " " + depth + " deep");
      }
      case 9 -> {
        int extra = 1 + rnd.nextInt(20);
        for (int i = 0; i < extra; i++) {
          o.set("x_" + rnd.nextInt(1000) + (rnd.nextBoolean() ? "" : "\u00e9\ud83d\ude00"), value());
        }
        note("add " + extra + " unknown fields to " + path);
      }
      case 10 -> {
        if (old != null && old.isTextual()) {
          String s = old.textValue();
          String m = switch (rnd.nextInt(6)) {
            case 0 -> s.toUpperCase();
            case 1 -> " " + s + "\t";
            case 2 -> s.isEmpty() ? s : s.substring(0, rnd.nextInt(s.length()));
            case 3 -> s + s;
            case 4 -> "0x" + s;
            default -> s + "\u0000";
          };
          o.put(field, m);
          note("set " + where + " = " + shown(F.textNode(m)));
        }
      }
      case 11 -> {
        if (old != null && old.isIntegralNumber()) {
          o.put(field, old.asText());
          note("set " + where + " = its number as a string");
        } else if (old != null && old.isTextual()) {
          try {
            o.put(field, Long.parseLong(old.textValue()));
            note("set " + where + " = its string as a number");
          } catch (NumberFormatException e) {
            o.put(field, old.textValue().length());
            note("set " + where + " = a number");
          }
        }
      }
      case 12 -> {
        if (rnd.nextInt(3) > 0) {
          String s = longText();
          o.put(field, s);
          note("set " + where + " = string of " + s.length() + " chars");
          return root;
        }
        String s = rnd.nextBoolean() ? MEGABYTE : EMOJI_MEGABYTE;
        o.put(field, s);
        note("set " + where + " = megabyte string");
      }
      default -> {
        String s = ODD_TEXT[rnd.nextInt(ODD_TEXT.length)];
        o.put(field, s);
        note("set " + where + " = " + shown(F.textNode(s)));
      }
    }
    return root;
  }

  private JsonNode wholeDocument(JsonNode root) {
    switch (rnd.nextInt(5)) {
      case 0:
        note("document = gpus array alone");
        return root.get("gpus");
      case 1:
        note("document = a string");
        return F.textNode("gpus");
      case 2:
        note("document = null");
        return F.nullNode();
      case 3:
        note("document = gpus inside an array");
        return F.arrayNode().add(root);
      default:
        note("document = number");
        return F.numberNode(42);
    }
  }

  private JsonNode value() {
    return switch (rnd.nextInt(10)) {
      case 0 -> F.nullNode();
      case 1 -> F.booleanNode(rnd.nextBoolean());
      case 2, 3 -> number();
      case 4 -> F.textNode(ODD_TEXT[rnd.nextInt(ODD_TEXT.length)]);
      case 5 -> F.arrayNode().add(1).add("x").addNull();
      case 6 -> F.objectNode().put("enabled", 1).put("pci_address", "41:00.0");
      case 7 -> F.arrayNode();
      case 8 -> F.objectNode();
      default -> F.textNode(longText());
    };
  }

  private JsonNode number() {
    return switch (rnd.nextInt(16)) {
      case 0 -> F.numberNode(Long.MAX_VALUE);
      case 1 -> F.numberNode(Long.MIN_VALUE);
      case 2 -> F.numberNode(new BigInteger("9".repeat(1 + rnd.nextInt(400))));
      case 3 -> F.numberNode(new BigInteger("-" + "9".repeat(1 + rnd.nextInt(60))));
      case 4 -> F.numberNode(Integer.MAX_VALUE + 1L);
      case 5 -> F.numberNode(Integer.MIN_VALUE);
      case 6 -> F.numberNode(1e308);
      case 7 -> F.numberNode(-0.0);
      case 8 -> F.numberNode(1.5);
      case 9 -> F.numberNode(new BigDecimal("1E+400"));
      case 10 -> F.numberNode(-2);
      case 11 -> F.numberNode(-1);
      case 12 -> F.numberNode(0);
      case 13 -> F.numberNode(Integer.MAX_VALUE);
      case 14 -> F.numberNode(new BigDecimal("12.000"));
      default -> F.numberNode(rnd.nextInt());
    };
  }

  private String longText() {
    int len = switch (rnd.nextInt(6)) {
      case 0 -> 17;
      case 1 -> 65;
      case 2 -> 256;
      case 3 -> 1025;
      case 4 -> 10_000;
      default -> 1 + rnd.nextInt(300);
    };
    StringBuilder b = new StringBuilder(len);
    String alphabet = rnd.nextBoolean() ? "abcdefghijklmnopqrstuvwxyz0123456789_-." : "é€\u0000\t\"\\ aZ9\ud83d\ude00";
    while (b.length() < len) {
      b.append(alphabet.charAt(rnd.nextInt(alphabet.length())));
    }
    return b.toString();
  }

  // ---- text ------------------------------------------------------------------------------------------

  private String mutateText(String text) {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    switch (rnd.nextInt(9)) {
      case 0 -> {
        int at = rnd.nextInt(bytes.length + 1);
        note("truncate at byte " + at + " of " + bytes.length);
        return decode(java.util.Arrays.copyOf(bytes, at));
      }
      case 1 -> { // invalid UTF-8: lone continuation bytes, overlong forms, surrogates encoded, 0xff
        byte[][] bad = {{(byte) 0x80}, {(byte) 0xc0, (byte) 0xaf}, {(byte) 0xed, (byte) 0xa0, (byte) 0x80},
            {(byte) 0xff}, {(byte) 0xf4, (byte) 0x90, (byte) 0x80, (byte) 0x80}, {(byte) 0xe2, (byte) 0x82}};
        byte[] b = bad[rnd.nextInt(bad.length)];
        int at = rnd.nextInt(bytes.length + 1);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(bytes, 0, at);
        out.writeBytes(b);
        out.write(bytes, at, bytes.length - at);
        note("insert invalid UTF-8 at byte " + at);
        return decode(out.toByteArray());
      }
      case 2 -> {
        int at = rnd.nextInt(Math.max(1, bytes.length));
        if (bytes.length > 0) {
          bytes[at] = (byte) rnd.nextInt(256);
        }
        note("change byte " + at);
        return decode(bytes);
      }
      case 3 -> {
        int at = text.indexOf('{', rnd.nextInt(Math.max(1, text.length())));
        if (at >= 0) {
          String key = FIELDS[rnd.nextInt(FIELDS.length)];
          note("duplicate key " + key + " at char " + at);
          return text.substring(0, at + 1) + "\"" + key + "\": 1, \"" + key + "\": 2," + text.substring(at + 1);
        }
        return text;
      }
      case 4 -> {
        note("trailing garbage");
        return text + new String[] {"}", "]", "{}", "x", "\u0000", "\n{\"gpus\":[]}", ",", "//"}[rnd.nextInt(8)];
      }
      case 5 -> {
        note("leading BOM / garbage");
        return new String[] {"\ufeff", "WARNING: lspci not found\n", " \n", "\u0000"}[rnd.nextInt(4)] + text;
      }
      case 6 -> {
        int at = rnd.nextInt(Math.max(1, text.length()));
        note("delete char " + at);
        return text.isEmpty() ? text : text.substring(0, at) + text.substring(at + 1);
      }
      case 7 -> {
        int at = rnd.nextInt(text.length() + 1);
        String token = new String[] {"NaN", "Infinity", "'x'", "/* c */", "#", "\\u0000", "1e999999", "tru",
            "\"unterminated", ",,", "\u0085"}[rnd.nextInt(11)];
        note("insert " + token + " at char " + at);
        return text.substring(0, at) + token + text.substring(at);
      }
      default -> {
        note("empty output");
        return rnd.nextBoolean() ? "" : "   \n";
      }
    }
  }

  /** As HookRunner decodes a hook's stdout: malformed input becomes U+FFFD. */
  static String decode(byte[] bytes) {
    return new String(bytes, StandardCharsets.UTF_8);
  }

  private void note(String m) {
    applied.add(m);
  }

  private static String shown(JsonNode v) {
    String s = v.toString();
    return s.length() <= 80 ? s : s.substring(0, 80) + "... (" + s.length() + " chars)";
  }
}
