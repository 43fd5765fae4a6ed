package io.gpucloud.agent.discovery;

import io.gpucloud.activities.model.PciAddress;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Host console displays an operator opts back in to discovery ({@code --discovery-include}): PCI addresses
 * ("0000:03:00.0" or "03:00.0") and vendor:device ids ("1a03:2000"), separated by commas or blanks. A device
 * that matches either is reported like any GPU, even on a console driver, with a known BMC id or as the boot
 * display.
 *
 * @param addresses full, lower-case PCI addresses
 * @param ids       lower-case "vvvv:dddd" ids
 */
public record DiscoveryOptIn(Set<String> addresses, Set<String> ids) {
  private static final Pattern ID = Pattern.compile("[0-9a-fA-F]{4}:[0-9a-fA-F]{4}");

  public static final DiscoveryOptIn NONE = new DiscoveryOptIn(Set.of(), Set.of());

  public DiscoveryOptIn {
    addresses = Set.copyOf(addresses);
    ids = Set.copyOf(ids);
  }

  /**
   * Reads a list such as "0000:03:00.0, 102b:0536".
   *
   * @throws IllegalArgumentException naming the item that is neither a PCI address nor a vendor:device id
   */
  public static DiscoveryOptIn parse(String list) {
    Set<String> addresses = new LinkedHashSet<>();
    Set<String> ids = new LinkedHashSet<>();
    if (list != null) {
      for (String item : list.trim().split("[,\\s]+")) {
        if (item.isEmpty()) {
          continue;
        }
        if (ID.matcher(item).matches()) {
          ids.add(item.toLowerCase(Locale.ROOT));
          continue;
        }
        Optional<PciAddress> a = PciAddress.tryParseStrict(item);
        if (a.isEmpty()) {
          throw new IllegalArgumentException("'" + item + "' is neither a PCI address (0000:03:00.0) nor a"
              + " vendor:device id (1a03:2000)");
        }
        addresses.add(a.get().toString());
      }
    }
    return new DiscoveryOptIn(addresses, ids);
  }

  public boolean isEmpty() {
    return addresses.isEmpty() && ids.isEmpty();
  }

  /** Whether the device at {@code pciAddress} (full form) with these ids is opted in. */
  public boolean includes(String pciAddress, String vendorId, String deviceId) {
    return addresses.contains(pciAddress) || ids.contains(vendorId + ":" + deviceId);
  }

  /** The list as gpudiscovery.sh takes it: {@code --include ITEM,ITEM}. */
  public List<String> hookArguments() {
    if (isEmpty()) {
      return List.of();
    }
    List<String> items = new ArrayList<>(addresses);
    items.addAll(ids);
    return List.of("--include", String.join(",", items));
  }
}
