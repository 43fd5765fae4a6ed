package io.gpucloud.controlplane.instance;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpucloud.activities.model.DeviceType;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class DevicePickerTest {
  static DeviceCandidate pci(String addr, int numa, String root) {
    return new DeviceCandidate(addr, addr, DeviceType.PCI, numa, root, null, null, 0);
  }

  static DeviceCandidate mdev(String id, String parent, int parentFree) {
    return new DeviceCandidate(id, id, DeviceType.MDEV, 0, "r0", "p-" + parent, parent, parentFree);
  }

  static List<String> ids(Optional<List<DeviceCandidate>> picked) {
    return picked.orElseThrow().stream().map(DeviceCandidate::id).toList();
  }

  /** 8 GPUs: node 0 has roots a (3 GPUs) and b (1); node 1 has root c (4). */
  static final List<DeviceCandidate> HOST = List.of(
      pci("a1", 0, "a"), pci("a2", 0, "a"), pci("a3", 0, "a"), pci("b1", 0, "b"),
      pci("c1", 1, "c"), pci("c2", 1, "c"), pci("c3", 1, "c"), pci("c4", 1, "c"));

  @Test
  void prefersOneNumaNodeAndPciRootChoosingTheSmallestGroupThatFits() {
    assertThat(ids(DevicePicker.pick(HOST, 3, NumaPolicy.preferred))).containsExactly("a1", "a2", "a3");
    assertThat(ids(DevicePicker.pick(HOST, 4, NumaPolicy.preferred))).containsExactly("c1", "c2", "c3", "c4");
    // a single GPU goes where it breaks the smallest group: root b
    assertThat(ids(DevicePicker.pick(HOST, 1, NumaPolicy.preferred))).containsExactly("b1");
  }

  @Test
  void fallsBackToOneNodeAcrossRoots() {
    List<DeviceCandidate> host = List.of(pci("a1", 0, "a"), pci("a2", 0, "a"), pci("b1", 0, "b"),
        pci("c1", 1, "c"), pci("d1", 1, "d"));
    assertThat(ids(DevicePicker.pick(host, 3, NumaPolicy.preferred))).containsExactlyInAnyOrder("a1", "a2", "b1");
  }

  @Test
  void requiredRefusesToSpreadPreferredSpreadsNoneIgnoresNuma() {
    List<DeviceCandidate> host = List.of(pci("a1", 0, "a"), pci("a2", 0, "a"), pci("c1", 1, "c"), pci("c2", 1, "c"));
    assertThat(DevicePicker.pick(host, 3, NumaPolicy.required)).isEmpty();
    assertThat(ids(DevicePicker.pick(host, 3, NumaPolicy.preferred))).hasSize(3);
    assertThat(DevicePicker.pick(host, 2, NumaPolicy.required)).isPresent();
    assertThat(ids(DevicePicker.pick(host, 4, NumaPolicy.none))).hasSize(4);
  }

  @Test
  void notEnoughFreeDevicesIsEmpty() {
    assertThat(DevicePicker.pick(HOST, 9, NumaPolicy.none)).isEmpty();
    assertThat(DevicePicker.pick(List.of(), 1, NumaPolicy.preferred)).isEmpty();
    assertThat(DevicePicker.pick(List.of(), 0, NumaPolicy.preferred)).contains(List.of());
  }

  @Test
  void vgpusArePackedOntoTheFullestPhysicalGpu() {
    // GPU x has 1 free sim-8q left, GPU y is untouched with 2 free: fill x first, keep y whole
    List<DeviceCandidate> free = List.of(mdev("y1", "y", 2), mdev("y2", "y", 2), mdev("x2", "x", 1));
    assertThat(ids(DevicePicker.pick(free, 1, NumaPolicy.preferred))).containsExactly("x2");
    assertThat(ids(DevicePicker.pick(free, 2, NumaPolicy.preferred))).containsExactly("x2", "y1");
  }

  @Test
  void costDoesNotGrowCombinatoriallyWithTheDevicesAsked() {
    // 1,000 devices on 8 nodes x 16 roots: picking 8 is a sort, not a search over combinations
    List<DeviceCandidate> big = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      big.add(pci(String.format("%04d", i), i % 8, "r" + (i % 16)));
    }
    for (int count : new int[] {1, 4, 8, 64}) {
      List<DeviceCandidate> picked = DevicePicker.pick(big, count, NumaPolicy.preferred).orElseThrow();
      assertThat(picked).hasSize(count);
      assertThat(picked.stream().map(DeviceCandidate::numaNode).distinct()).hasSize(1);
      assertThat(picked.stream().map(DeviceCandidate::id).distinct()).hasSize(count);
    }
  }

  @Test
  void anUnknownNumaNodeGivesNoNumaGuarantee() {
    // the domain-0001 GPU of CloudStack's script: NUMA node and PCI root unknown
    DeviceCandidate unknown = pci("u1", -1, null);
    List<DeviceCandidate> onlyUnknown = List.of(unknown, pci("u2", -1, null));
    assertThat(DevicePicker.pick(onlyUnknown, 1, NumaPolicy.required)).as("required cannot use it").isEmpty();
    assertThat(DevicePicker.pick(onlyUnknown, 2, NumaPolicy.required)).isEmpty();
    assertThat(ids(DevicePicker.pick(onlyUnknown, 2, NumaPolicy.preferred))).as("preferred may")
        .containsExactly("u1", "u2");
    assertThat(ids(DevicePicker.pick(onlyUnknown, 1, NumaPolicy.none))).containsExactly("u1");

    // with known devices: required uses only those, preferred takes the known node first, unknown only to spread
    List<DeviceCandidate> mixed = List.of(pci("k1", 0, "a"), pci("k2", 0, "a"), unknown, pci("u2", -1, "a"));
    assertThat(ids(DevicePicker.pick(mixed, 2, NumaPolicy.required))).containsExactly("k1", "k2");
    assertThat(DevicePicker.pick(mixed, 3, NumaPolicy.required)).isEmpty();
    assertThat(ids(DevicePicker.pick(mixed, 2, NumaPolicy.preferred))).containsExactly("k1", "k2");
    assertThat(ids(DevicePicker.pick(mixed, 3, NumaPolicy.preferred))).containsExactly("k1", "k2", "u1");
    // an unknown node is not a node of its own: two unknown devices are not "one NUMA node"
    assertThat(ids(DevicePicker.pick(List.of(pci("k1", 0, "a"), pci("k2", 1, "b"), unknown, pci("u2", -1, null)), 2,
        NumaPolicy.preferred))).containsExactly("k1", "k2");
  }

  @Test
  void anUnknownPciRootJoinsNoRootGroup() {
    // node 0: two devices of unknown root, two on root a; node 1: three on root c. Two GPUs on one root: a.
    List<DeviceCandidate> host = List.of(pci("n1", 0, null), pci("n2", 0, null), pci("a1", 0, "a"), pci("a2", 0, "a"),
        pci("c1", 1, "c"), pci("c2", 1, "c"), pci("c3", 1, "c"));
    assertThat(ids(DevicePicker.pick(host, 2, NumaPolicy.required))).containsExactly("a1", "a2");
    // four on one node: node 0 across roots (the unknown ones included, their node is known)
    assertThat(ids(DevicePicker.pick(host, 4, NumaPolicy.required))).containsExactlyInAnyOrder("n1", "n2", "a1", "a2");
  }
}
