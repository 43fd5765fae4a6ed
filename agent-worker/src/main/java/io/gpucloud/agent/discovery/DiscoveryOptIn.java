package io.gpucloud.agent.discovery;

import io.gpucloud.activities.model.PciAddress;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.slf4j.LoggerFactory;

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

  /** The environment variable that gpudiscovery.sh also reads; the agent takes it when no option says otherwise. */
  public static final String ENVIRONMENT = "GPU_DISCOVERY_INCLUDE";

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

  /**
   * The list in {@value #ENVIRONMENT}, or none. A list that cannot be read is ignored with a warning rather
   * than keeping the agent from starting: nothing is opted in then.
   */
  public static DiscoveryOptIn fromEnvironment() {
    String list = System.getenv(ENVIRONMENT);
    try {
      return parse(list);
    } catch (IllegalArgumentException e) {
      LoggerFactory.getLogger(DiscoveryOptIn.class).warn("{} ignored: {}", ENVIRONMENT, e.getMessage());
      return NONE;
    }
  }

  /** Both lists. */
  public DiscoveryOptIn and(DiscoveryOptIn other) {
    Set<String> a = new LinkedHashSet<>(addresses);
    a.addAll(other.addresses);
    Set<String> i = new LinkedHashSet<>(ids);
    i.addAll(other.ids);
    return new DiscoveryOptIn(a, i);
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
