package io.gpucloud.controlplane.instance;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
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
 */
public final class DevicePicker {
  private DevicePicker() {}

  static final Comparator<DeviceCandidate> PACKING = Comparator
      .comparingInt((DeviceCandidate d) -> d.parentId() == null ? 0 : d.parentFree())
      .thenComparing(d -> d.parentBusAddress() == null ? "" : d.parentBusAddress())
      .thenComparing(DeviceCandidate::busAddress);

  public static Optional<List<DeviceCandidate>> pick(List<DeviceCandidate> free, int count, NumaPolicy policy) {
    if (count <= 0) {
      return Optional.of(List.of());
    }
    if (free.size() < count) {
      return Optional.empty();
    }
    if (policy != NumaPolicy.none) {
      Optional<List<DeviceCandidate>> sameRoot =
          smallestGroupThatFits(free, count, d -> d.numaNode() + "|" + Objects.toString(d.pciRoot(), ""));
      if (sameRoot.isPresent()) {
        return sameRoot;
      }
      Optional<List<DeviceCandidate>> sameNode = smallestGroupThatFits(free, count, d -> String.valueOf(d.numaNode()));
      if (sameNode.isPresent()) {
        return sameNode;
      }
      if (policy == NumaPolicy.required) {
        return Optional.empty();
      }
    }
    List<DeviceCandidate> all = new ArrayList<>(free);
    all.sort(Comparator.comparingInt(DeviceCandidate::numaNode).thenComparing(PACKING));
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
