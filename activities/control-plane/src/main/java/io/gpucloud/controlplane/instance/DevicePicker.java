package io.gpucloud.controlplane.instance;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Chooses which free devices of one host an instance gets. Sorting and grouping only, so the cost
 * is O(n log n) in the devices of the host whatever the count asked for (no combinations):
 * <ol>
 *   <li>one NUMA node and one PCI root, if some (node, root) group has enough: the smallest such group;
 *   <li>else one NUMA node: the smallest node that has enough;
 *   <li>else, unless the policy is {@code required}, spread over nodes.
 * </ol>
 * Inside a group, vGPUs/VFs are packed best-fit: devices whose physical GPU has the least free room
 * come first, so partly used GPUs fill up before untouched ones are broken into.
 *
 * <p>A device whose NUMA node is unknown (negative: the host's discovery could not tell) gives no NUMA
 * guarantee: it never joins a node's group, so {@code required} cannot use it, and {@code preferred} and
 * {@code none} take it only when spreading, after the devices whose node is known. An unknown PCI root
 * (null) likewise joins no root's group.
 */
public final class DevicePicker {
  private DevicePicker() {}

  static final Comparator<DeviceCandidate> PACKING = Comparator
      .comparingInt((DeviceCandidate d) -> d.parentId() == null ? 0 : d.parentFree())
      .thenComparing(d -> d.parentBusAddress() == null ? "" : d.parentBusAddress())
      .thenComparing(DeviceCandidate::busAddress);

  /** Known nodes first, in node order; unknown nodes last. */
  static final Comparator<DeviceCandidate> SPREAD = Comparator
      .comparingInt((DeviceCandidate d) -> knownNode(d) ? d.numaNode() : Integer.MAX_VALUE)
      .thenComparing(PACKING);

  /** Whether the device's NUMA node is known. */
  public static boolean knownNode(DeviceCandidate d) {
    return d.numaNode() >= 0;
  }

  public static Optional<List<DeviceCandidate>> pick(List<DeviceCandidate> free, int count, NumaPolicy policy) {
    if (count <= 0) {
      return Optional.of(List.of());
    }
    if (free.size() < count) {
      return Optional.empty();
    }
    if (policy != NumaPolicy.none) {
      List<DeviceCandidate> known = free.stream().filter(DevicePicker::knownNode).toList();
      Optional<List<DeviceCandidate>> sameRoot = smallestGroupThatFits(
          known.stream().filter(d -> d.pciRoot() != null).toList(), count, d -> d.numaNode() + "|" + d.pciRoot());
      if (sameRoot.isPresent()) {
        return sameRoot;
      }
      Optional<List<DeviceCandidate>> sameNode = smallestGroupThatFits(known, count, d -> String.valueOf(d.numaNode()));
      if (sameNode.isPresent()) {
        return sameNode;
      }
      if (policy == NumaPolicy.required) {
        return Optional.empty();
      }
    }
    List<DeviceCandidate> all = new ArrayList<>(free);
    all.sort(SPREAD);
    return Optional.of(List.copyOf(all.subList(0, count)));
  }

  private static Optional<List<DeviceCandidate>> smallestGroupThatFits(
      List<DeviceCandidate> free, int count, Function<DeviceCandidate, String> key) {
    Map<String, List<DeviceCandidate>> groups = new LinkedHashMap<>();
    for (DeviceCandidate d : free) {
      groups.computeIfAbsent(key.apply(d), k -> new ArrayList<>()).add(d);
    }
    List<DeviceCandidate> best = null;
    for (List<DeviceCandidate> g : groups.values()) {
      if (g.size() >= count && (best == null || g.size() < best.size())) {
        best = g;
      }
    }
    if (best == null) {
      return Optional.empty();
    }
    List<DeviceCandidate> sorted = new ArrayList<>(best);
    sorted.sort(PACKING);
    return Optional.of(List.copyOf(sorted.subList(0, count)));
  }
}
