package io.gpucloud.agent.sim;

import io.gpucloud.activities.discovery.LibvirtAddress;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A PCI address "dddd:bb:ss.f" (domain 16 bits, bus 8, slot 5, function 3); the short form "bb:ss.f" means domain 0. */
public record PciAddress(int domain, int bus, int slot, int function) implements Comparable<PciAddress> {

  private static final Pattern FORM =
      Pattern.compile("(?:([0-9a-fA-F]{1,4}):)?([0-9a-fA-F]{1,2}):([0-9a-fA-F]{1,2})\\.([0-7])");

  public PciAddress {
    if (domain < 0 || domain > 0xffff) throw new IllegalArgumentException("PCI domain out of range: " + domain);
    if (bus < 0 || bus > 0xff) throw new IllegalArgumentException("PCI bus out of range: " + bus);
    if (slot < 0 || slot > 0x1f) throw new IllegalArgumentException("PCI slot out of range: " + slot);
    if (function < 0 || function > 7) throw new IllegalArgumentException("PCI function out of range: " + function);
  }

  /** Parses "0000:00:01.0" or "00:01.0"; throws IllegalArgumentException with the offending text. */
  public static PciAddress parse(String text) {
    Matcher m = text == null ? null : FORM.matcher(text.trim());
    if (m == null || !m.matches()) {
      throw new IllegalArgumentException("'" + text + "' is not a PCI address of the form dddd:bb:ss.f");
    }
    int domain = m.group(1) == null ? 0 : Integer.parseInt(m.group(1), 16);
    return new PciAddress(domain, Integer.parseInt(m.group(2), 16), Integer.parseInt(m.group(3), 16),
        Integer.parseInt(m.group(4), 16));
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
    int c = Integer.compare(domain, o.domain);
    if (c == 0) c = Integer.compare(bus, o.bus);
    if (c == 0) c = Integer.compare(slot, o.slot);
    if (c == 0) c = Integer.compare(function, o.function);
    return c;
  }
}
