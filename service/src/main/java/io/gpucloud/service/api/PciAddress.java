package io.gpucloud.service.api;

import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * PCI addresses in the full lower-case form {@code dddd:bb:ss.f} (domain may be longer than 4 hex
 * digits, e.g. Intel VMD domains {@code 10000}). Input may omit the domain ({@code bb:ss.f} means
 * domain 0000) and may use upper case or single digits.
 */
public final class PciAddress {
  private static final Pattern PCI =
      Pattern.compile("(?:([0-9a-fA-F]{1,8}):)?([0-9a-fA-F]{1,2}):([0-9a-fA-F]{1,2})\\.([0-7])");

  private PciAddress() {}

  /** The normalised address, or empty when {@code value} is not a PCI address. */
  public static Optional<String> normalise(String value) {
    if (value == null) {
      return Optional.empty();
    }
    Matcher m = PCI.matcher(value.trim());
    if (!m.matches()) {
      return Optional.empty();
    }
    long domain = m.group(1) == null ? 0 : Long.parseLong(m.group(1), 16);
    int bus = Integer.parseInt(m.group(2), 16);
    int slot = Integer.parseInt(m.group(3), 16);
    int function = Integer.parseInt(m.group(4));
    if (slot > 0x1f) {
      return Optional.empty();
    }
    return Optional.of(
        String.format(Locale.ROOT, "%04x:%02x:%02x.%d", domain, bus, slot, function));
  }
}
