package io.gpucloud.activities.model;

import io.gpucloud.activities.discovery.LibvirtAddress;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A PCI address "dddd:bb:ss.f": domain up to 8 hex digits (Intel VMD domains are 10000 and up),
 * bus 8 bits, slot 5 bits, function 3 bits. The one parser and formatter of the agent, the
 * simulated hosts and the API, so an address means the same device everywhere.
 */
public record PciAddress(long domain, int bus, int slot, int function) implements Comparable<PciAddress> {
  /** What people type: "bb:ss.f" (domain 0) or "dddd:bb:ss.f", any case, digits not padded. */
  private static final Pattern LENIENT =
      Pattern.compile("(?:([0-9a-fA-F]{1,8}):)?([0-9a-fA-F]{1,2}):([0-9a-fA-F]{1,2})\\.([0-7])");
  /** What sysfs, lspci and CloudStack's gpudiscovery.sh print: padded bus and slot, 4 to 8 domain digits. */
  private static final Pattern STRICT =
      Pattern.compile("(?:([0-9a-fA-F]{4,8}):)?([0-9a-fA-F]{2}):([0-9a-fA-F]{2})\\.([0-7])");

  public PciAddress {
    if (domain < 0 || domain > 0xffff_ffffL) throw new IllegalArgumentException("PCI domain out of range: " + domain);
    if (bus < 0 || bus > 0xff) throw new IllegalArgumentException("PCI bus out of range: " + bus);
    if (slot < 0 || slot > 0x1f) throw new IllegalArgumentException("PCI slot out of range: " + slot);
    if (function < 0 || function > 7) throw new IllegalArgumentException("PCI function out of range: " + function);
  }

  /** "0000:00:01.0", "00:01.0", "1:2:3.4"; empty when it is not a PCI address (slot above 1f included). */
  public static Optional<PciAddress> tryParse(String text) {
    return match(LENIENT, text);
  }

  /** As a discovery hook must print it ("0000:01:00.0" or "01:00.0"); empty otherwise. */
  public static Optional<PciAddress> tryParseStrict(String text) {
    return match(STRICT, text);
  }

  /** {@link #tryParse}, or IllegalArgumentException naming the text. */
  public static PciAddress parse(String text) {
    return tryParse(text).orElseThrow(
        () -> new IllegalArgumentException("'" + text + "' is not a PCI address of the form dddd:bb:ss.f"));
  }

  private static Optional<PciAddress> match(Pattern form, String text) {
    Matcher m = text == null ? null : form.matcher(text.strip());
    if (m == null || !m.matches()) {
      return Optional.empty();
    }
    int slot = Integer.parseInt(m.group(3), 16);
    if (slot > 0x1f) {
      return Optional.empty();
    }
    long domain = m.group(1) == null ? 0 : Long.parseLong(m.group(1), 16);
    return Optional.of(new PciAddress(domain, Integer.parseInt(m.group(2), 16), slot, Integer.parseInt(m.group(4))));
  }

  /** The full form, lower case: "0000:00:01.0". */
  @Override
  public String toString() {
    return String.format(Locale.ROOT, "%04x:%02x:%02x.%x", domain, bus, slot, function);
  }

  /** libvirt's node device name: "pci_0000_00_01_0". */
  public String nodeDeviceName() {
    return String.format(Locale.ROOT, "pci_%04x_%02x_%02x_%x", domain, bus, slot, function);
  }

  /** As a libvirt hostdev source address: domain "0x0000", bus "0x00", slot "0x01", function "0x0". */
  public LibvirtAddress libvirtAddress() {
    return new LibvirtAddress(String.format(Locale.ROOT, "0x%04x", domain), String.format(Locale.ROOT, "0x%02x", bus),
        String.format(Locale.ROOT, "0x%02x", slot), String.format(Locale.ROOT, "0x%x", function));
  }

  @Override
  public int compareTo(PciAddress o) {
    int c = Long.compare(domain, o.domain);
    if (c == 0) c = Integer.compare(bus, o.bus);
    if (c == 0) c = Integer.compare(slot, o.slot);
    if (c == 0) c = Integer.compare(function, o.function);
    return c;
  }
}
