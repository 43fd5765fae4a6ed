package io.gpucloud.controlplane.inventory;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpucloud.activities.discovery.DiscoveredGpu;
import io.gpucloud.activities.discovery.DiscoveryReport;
import io.gpucloud.activities.discovery.FullPassthrough;
import io.gpucloud.activities.discovery.VirtualGpu;
import io.gpucloud.activities.model.DeviceState;
import io.gpucloud.activities.model.DeviceType;
import io.gpucloud.activities.model.GpuDevice;
import io.gpucloud.activities.model.ManagedState;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class InventoryReconcilerTest {
  static final String HOST = "host-1";
  static final String CARD = "card-pro";
  static final Map<String, String> CARDS = Map.of("1ae0:0002", CARD);
  static final Map<String, String> PROFILES = Map.of(
      CARD + "/passthrough", "p-pt", CARD + "/sim-8q", "p-8q", CARD + "/sim-vf", "p-vf");
  static final String MDEV_A = "8a7c1c3e-0000-4000-8000-000000000001";
  static final String MDEV_B = "8a7c1c3e-0000-4000-8000-000000000002";

  final AtomicInteger seq = new AtomicInteger();

  static DiscoveredGpu passthrough(String address, String usedBy) {
    return new DiscoveredGpu(address, "1ae0", "0002", "ACS", "Pro", "vfio-pci", "3D controller [0302]", "7",
        "0000:00:01.0", 0, 0, 0, new FullPassthrough(true, null, usedBy), 1, 0L, 1, 0, 0, List.of(), List.of());
  }

  static DiscoveredGpu withVgpus(String address, String... mdevUsedBy) {
    List<VirtualGpu> vgpus = new ArrayList<>();
    String[] uuids = {MDEV_A, MDEV_B};
    for (int i = 0; i < mdevUsedBy.length; i++) {
      vgpus.add(new VirtualGpu(uuids[i], "sim-8q", 2, 8192L, 4, 4096, 2160, null,
          "-".equals(mdevUsedBy[i]) ? null : mdevUsedBy[i]));
    }
    return new DiscoveredGpu(address, "1ae0", "0002", "ACS", "Pro", "nvidia", "3D controller [0302]", "8",
        "0000:00:05.0", 1, 0, 0, new FullPassthrough(false, null, null), 2, 0L, 1, 0, 0, vgpus, List.of());
  }

  static DiscoveredGpu withVfs(String address, String vf) {
    return new DiscoveredGpu(address, "1ae0", "0002", "ACS", "Pro", "nvidia", "3D controller [0302]", "9",
        "0000:80:00.0", 1, 4, 1, new FullPassthrough(true, null, null), 1, 0L, 1, 0, 0, List.of(),
        List.of(new VirtualGpu(vf, "sim-vf", 1, 4096L, 1, 0, 0, null, null)));
  }

  ReconcilePlan plan(List<GpuDevice> existing, Map<String, String> vms, DiscoveredGpu... gpus) {
    InventorySnapshot snap = new InventorySnapshot(HOST, existing, CARDS, PROFILES, vms);
    return InventoryReconciler.plan(snap, new DiscoveryReport(List.of(gpus)), () -> "new-" + seq.incrementAndGet(),
        Instant.parse("2026-11-24T00:00:00Z"));
  }

  static List<GpuDevice> all(ReconcilePlan p) {
    return Stream.concat(p.inserts().stream(), p.updates().stream()).toList();
  }

  static GpuDevice find(List<GpuDevice> devices, String address) {
    return devices.stream().filter(d -> d.busAddress().equals(address)).findFirst().orElseThrow();
  }

  static GpuDevice device(String id, String address, DeviceType type, String profile, String parent,
      DeviceState state, String instance) {
    return new GpuDevice(id, HOST, address, type, CARD, profile, parent, 0, "0000:00:01.0", "7", "vfio-pci",
        ManagedState.Managed, state, instance, null, "DISCOVERED", null, null);
  }

  @Test
  void newHostGetsPassthroughDevicesAndVgpuParentsWithChildren() {
    ReconcilePlan p = plan(List.of(), Map.of(), passthrough("0000:00:01.0", null), withVgpus("0000:00:05.0", "-", "-"));
    assertThat(p.updates()).isEmpty();
    assertThat(p.inserts()).hasSize(4);
    GpuDevice pt = find(p.inserts(), "0000:00:01.0");
    assertThat(pt.type()).isEqualTo(DeviceType.PCI);
    assertThat(pt.profileId()).isEqualTo("p-pt");
    assertThat(pt.state()).isEqualTo(DeviceState.Free);
    GpuDevice parent = find(p.inserts(), "0000:00:05.0");
    assertThat(parent.type()).isEqualTo(DeviceType.VGPU_ONLY);
    assertThat(parent.profileId()).isNull();
    GpuDevice child = find(p.inserts(), MDEV_A);
    assertThat(child.type()).isEqualTo(DeviceType.MDEV);
    assertThat(child.parentDeviceId()).isEqualTo(parent.id());
    assertThat(child.profileId()).isEqualTo("p-8q");
    assertThat(child.numaNode()).isEqualTo(1);
    // parents come before their children so the FK holds on insert
    assertThat(p.inserts().indexOf(parent)).isLessThan(p.inserts().indexOf(child));
    assertThat(p.reported()).isEqualTo(4);
  }

  @Test
  void sriovVirtualFunctionsArePciChildrenOfAVgpuOnlyParent() {
    ReconcilePlan p = plan(List.of(), Map.of(), withVfs("0001:81:00.0", "0001:81:00.4"));
    GpuDevice parent = find(p.inserts(), "0001:81:00.0");
    GpuDevice vf = find(p.inserts(), "0001:81:00.4");
    assertThat(parent.type()).isEqualTo(DeviceType.VGPU_ONLY);
    assertThat(vf.type()).isEqualTo(DeviceType.PCI);
    assertThat(vf.parentDeviceId()).isEqualTo(parent.id());
    assertThat(vf.profileId()).isEqualTo("p-vf");
  }

  @Test
  void missingDeviceGoesToErrorAndIsNeverDeletedOrFreed() {
    GpuDevice gone = device("d1", "0000:00:02.0", DeviceType.PCI, "p-pt", null, DeviceState.Allocated, "vm-1");
    GpuDevice free = device("d2", "0000:00:03.0", DeviceType.PCI, "p-pt", null, DeviceState.Free, null);
    ReconcilePlan p = plan(List.of(gone, free), Map.of(), passthrough("0000:00:01.0", null));
    GpuDevice g = find(p.updates(), "0000:00:02.0");
    assertThat(g.state()).isEqualTo(DeviceState.Error);
    assertThat(g.instanceId()).as("the holder keeps it").isEqualTo("vm-1");
    assertThat(g.errorReason()).startsWith(InventoryReconciler.MISSING);
    assertThat(find(p.updates(), "0000:00:03.0").state()).isEqualTo(DeviceState.Error);
    assertThat(p.markedError()).isEqualTo(2);
    assertThat(p.inserts()).extracting(GpuDevice::busAddress).containsExactly("0000:00:01.0");
  }

  @Test
  void manuallyAddedDeviceMissingFromTheReportIsLeftAlone() {
    GpuDevice manual = new GpuDevice("m1", HOST, "0000:00:09.0", DeviceType.PCI, CARD, "p-pt", null, 0, null, null,
        null, ManagedState.Managed, DeviceState.Free, null, null, "MANUAL", null, null);
    ReconcilePlan p = plan(List.of(manual), Map.of());
    assertThat(p.updates()).isEmpty();
    assertThat(p.markedError()).isZero();
  }

  @Test
  void heldDeviceStaysHeldWhateverUsedByVmSays() {
    GpuDevice held = device("d1", "0000:00:01.0", DeviceType.PCI, "p-pt", null, DeviceState.Allocated, "inst-1");
    ReconcilePlan p = plan(List.of(held), Map.of("i-1", "inst-1"), passthrough("0000:00:01.0", null));
    assertThat(all(p)).allSatisfy(d -> {
      assertThat(d.state()).isEqualTo(DeviceState.Allocated);
      assertThat(d.instanceId()).isEqualTo("inst-1");
    });
    ReconcilePlan p2 = plan(List.of(held), Map.of("i-1", "inst-1"), passthrough("0000:00:01.0", "some-other-vm"));
    assertThat(all(p2)).allSatisfy(d -> assertThat(d.instanceId()).isEqualTo("inst-1"));
    assertThat(p2.markedError()).isZero();
  }

  @Test
  void freeDeviceUsedByUnknownVmGoesToError() {
    GpuDevice free = device("d1", "0000:00:01.0", DeviceType.PCI, "p-pt", null, DeviceState.Free, null);
    ReconcilePlan p = plan(List.of(free), Map.of(), passthrough("0000:00:01.0", "rogue-vm"));
    GpuDevice d = find(p.updates(), "0000:00:01.0");
    assertThat(d.state()).isEqualTo(DeviceState.Error);
    assertThat(d.instanceId()).isNull();
    assertThat(d.errorReason()).contains("unknown VM 'rogue-vm'");
    // and a new device reported in use by an unknown VM starts in Error
    ReconcilePlan fresh = plan(List.of(), Map.of(), passthrough("0000:00:01.0", "rogue-vm"));
    assertThat(find(fresh.inserts(), "0000:00:01.0").state()).isEqualTo(DeviceState.Error);
  }

  @Test
  void freeDeviceUsedByAKnownVmThatDoesNotHoldItGoesToErrorNotToThatVm() {
    GpuDevice free = device("d1", "0000:00:01.0", DeviceType.PCI, "p-pt", null, DeviceState.Free, null);
    ReconcilePlan p = plan(List.of(free), Map.of("i-7", "inst-7"), passthrough("0000:00:01.0", "i-7"));
    GpuDevice d = find(p.updates(), "0000:00:01.0");
    assertThat(d.state()).isEqualTo(DeviceState.Error);
    assertThat(d.instanceId()).isNull();
  }

  @Test
  void parentStateIsDerivedFromChildren() {
    GpuDevice parent = device("p1", "0000:00:05.0", DeviceType.VGPU_ONLY, null, null, DeviceState.Free, null);
    GpuDevice a = device("c1", MDEV_A, DeviceType.MDEV, "p-8q", "p1", DeviceState.Allocated, "inst-1");
    GpuDevice b = device("c2", MDEV_B, DeviceType.MDEV, "p-8q", "p1", DeviceState.Free, null);
    ReconcilePlan partly = plan(List.of(parent, a, b), Map.of(), withVgpus("0000:00:05.0", "-", "-"));
    assertThat(find(partly.updates(), "0000:00:05.0").state()).isEqualTo(DeviceState.PartiallyAllocated);

    ReconcilePlan err = plan(List.of(parent, a, b), Map.of(), withVgpus("0000:00:05.0", "-", "rogue"));
    assertThat(find(err.updates(), MDEV_B).state()).isEqualTo(DeviceState.Error);
    assertThat(find(err.updates(), "0000:00:05.0").state()).isEqualTo(DeviceState.Error);

    GpuDevice aFree = device("c1", MDEV_A, DeviceType.MDEV, "p-8q", "p1", DeviceState.Free, null);
    ReconcilePlan free = plan(List.of(parent, aFree, b), Map.of(), withVgpus("0000:00:05.0", "-", "-"));
    assertThat(find(all(free), "0000:00:05.0").state()).isEqualTo(DeviceState.Free);
  }

  @Test
  void sameReportTwiceChangesNothingTheSecondTime() {
    DiscoveredGpu[] report = {passthrough("0000:00:01.0", null), withVgpus("0000:00:05.0", "-", "-")};
    ReconcilePlan first = plan(List.of(), Map.of(), report);
    ReconcilePlan second = plan(first.inserts(), Map.of(), report);
    assertThat(second.inserts()).isEmpty();
    assertThat(second.updates()).isEmpty();
  }

  @Test
  void errorDeviceReportedAgainUnusedReturnsToFree() {
    GpuDevice err = new GpuDevice("d1", HOST, "0000:00:01.0", DeviceType.PCI, CARD, "p-pt", null, 0,
        "0000:00:01.0", "7", "vfio-pci", ManagedState.Managed, DeviceState.Error, null,
        InventoryReconciler.MISSING + " at x", "DISCOVERED", null, null);
    ReconcilePlan p = plan(List.of(err), Map.of(), passthrough("0000:00:01.0", null));
    GpuDevice d = find(p.updates(), "0000:00:01.0");
    assertThat(d.state()).isEqualTo(DeviceState.Free);
    assertThat(d.errorReason()).isNull();
    assertThat(p.recovered()).isEqualTo(1);
  }

  @Test
  void unmanagedStateSurvivesRediscovery() {
    GpuDevice un = new GpuDevice("d1", HOST, "0000:00:01.0", DeviceType.PCI, CARD, "p-pt", null, 0,
        "0000:00:01.0", "7", "vfio-pci", ManagedState.Unmanaged, DeviceState.Free, null, null, "DISCOVERED", null, null);
    ReconcilePlan p = plan(List.of(un), Map.of(), passthrough("0000:00:01.0", null));
    assertThat(p.updates()).isEmpty();
  }

  // ---- one exposure per parent/child path --------------------------------------------------------------

  @Test
  void aGpuHeldWholeThatNowReportsVfsKeepsThemOutOfService() {
    GpuDevice whole = device("d1", "0001:81:00.0", DeviceType.PCI, "p-pt", null, DeviceState.Allocated, "inst-1");
    ReconcilePlan p = plan(List.of(whole), Map.of(), withVfs("0001:81:00.0", "0001:81:00.4"));
    List<GpuDevice> after = DiscoveryShapesReconcileTest.apply(List.of(whole), p);
    GpuDevice gpu = find(after, "0001:81:00.0");
    assertThat(gpu.type()).as("held: stays what its holder has").isEqualTo(DeviceType.PCI);
    assertThat(gpu.state()).isEqualTo(DeviceState.Allocated);
    GpuDevice vf = find(after, "0001:81:00.4");
    assertThat(vf.state()).isEqualTo(DeviceState.Error);
    assertThat(vf.errorReason()).isEqualTo(InventoryReconciler.EXPOSED_TWICE
        + ": 0001:81:00.0, which it sits on, is held whole by an instance");
    assertThat(p.errors()).containsExactly("0001:81:00.4: " + vf.errorReason());
  }

  @Test
  void aVfStillHeldUnderAGpuNowReportedWholeKeepsTheGpuOutOfService() {
    GpuDevice pf = device("p1", "0000:00:01.0", DeviceType.VGPU_ONLY, null, null, DeviceState.PartiallyAllocated, null);
    GpuDevice vf = device("v1", "0000:00:01.4", DeviceType.PCI, "p-vf", "p1", DeviceState.Allocated, "inst-1");
    ReconcilePlan p = plan(List.of(pf, vf), Map.of(), passthrough("0000:00:01.0", null));
    List<GpuDevice> after = DiscoveryShapesReconcileTest.apply(List.of(pf, vf), p);
    assertThat(find(after, "0000:00:01.4").instanceId()).isEqualTo("inst-1");
    GpuDevice gpu = find(after, "0000:00:01.0");
    assertThat(gpu.type()).isEqualTo(DeviceType.PCI);
    assertThat(gpu.state()).isEqualTo(DeviceState.Error);
    assertThat(gpu.errorReason()).isEqualTo(InventoryReconciler.EXPOSED_TWICE
        + ": 0000:00:01.4 on it is held by an instance");
  }

  /**
   * Whatever the inventory was (random trees of devices of any type, state, holder and source, with parents
   * anywhere) and whatever a GPU now reports (passthrough, vGPUs, VFs, vGPUs on VFs, nothing), the reconciled
   * inventory never exposes two devices of one parent/child path, and a second run of the same report
   * changes nothing.
   */
  @Test
  void noDoubleExposureThroughAnyPathWhateverTheInventoryWas() {
    java.util.Random random = new java.util.Random(20261202);
    String[] addresses = {"0000:05:00.0", "0000:05:00.1", "0000:05:00.2", "0000:05:00.3", "0000:06:00.0",
        "0000:06:00.1", MDEV_A, MDEV_B, "8a7c1c3e-0000-4000-8000-000000000003"};
    DeviceType[] types = DeviceType.values();
    DeviceState[] states = DeviceState.values();
    for (int round = 0; round < 3000; round++) {
      List<GpuDevice> existing = new ArrayList<>();
      for (String a : addresses) {
        if (random.nextInt(3) == 0) {
          continue;
        }
        GpuDevice parent = existing.isEmpty() || random.nextInt(3) == 0 ? null
            : existing.get(random.nextInt(existing.size()));
        DeviceType type = types[random.nextInt(types.length)];
        DeviceState state = states[random.nextInt(states.length)];
        boolean held = (state == DeviceState.Reserved || state == DeviceState.Allocated || random.nextInt(6) == 0)
            && type != DeviceType.VGPU_ONLY;
        existing.add(new GpuDevice("e" + existing.size(), HOST, a, type, CARD,
            type == DeviceType.VGPU_ONLY ? null : "p-any", parent == null ? null : parent.id(), random.nextInt(2),
            null, null, null, random.nextInt(5) == 0 ? ManagedState.Unmanaged : ManagedState.Managed, state,
            held ? "inst-" + random.nextInt(3) : null, state == DeviceState.Error ? "some error" : null,
            random.nextInt(4) == 0 ? "MANUAL" : "DISCOVERED", null, null));
      }
      List<DiscoveredGpu> gpus = new ArrayList<>();
      gpus.addAll(randomGpu(random, "0000:05:00.0", List.of("0000:05:00.1", "0000:05:00.2", "0000:05:00.3")));
      gpus.addAll(randomGpu(random, "0000:06:00.0", List.of("0000:06:00.1")));
      DiscoveryReport report = new DiscoveryReport(gpus);
      Map<String, String> vms = Map.of("i-1", "inst-1");
      ReconcilePlan first = InventoryReconciler.plan(DiscoveryShapesReconcileTest.snapshot(existing, report, vms),
          report, () -> "new-" + seq.incrementAndGet(), Instant.parse("2026-11-24T00:00:00Z"));
      List<GpuDevice> after;
      try {
        after = DiscoveryShapesReconcileTest.apply(existing, first);
      } catch (AssertionError e) {
        throw new AssertionError("round " + round + ": " + existing + "\nreport " + report + "\n" + e.getMessage(), e);
      }
      ReconcilePlan second = InventoryReconciler.plan(DiscoveryShapesReconcileTest.snapshot(after, report, vms),
          report, () -> "new-" + seq.incrementAndGet(), Instant.parse("2026-11-24T00:00:00Z"));
      assertThat(second.inserts()).as("round %d", round).isEmpty();
      assertThat(second.updates()).as("round %d: %s", round, existing).isEmpty();
      assertThat(second.errors()).as("round %d", round).isEmpty();
    }
  }

  /** One GPU as some script may report it, or none. */
  static List<DiscoveredGpu> randomGpu(java.util.Random random, String address, List<String> vfAddresses) {
    String[] uuids = {MDEV_A, MDEV_B, "8a7c1c3e-0000-4000-8000-000000000003"};
    String usedBy = random.nextInt(4) == 0 ? (random.nextBoolean() ? "i-1" : "rogue") : null;
    List<VirtualGpu> vfs = new ArrayList<>();
    List<VirtualGpu> vgpus = new ArrayList<>();
    String vendor = "1ae0";
    switch (random.nextInt(5)) {
      case 0:
        return List.of();
      case 1: // passthrough
        return List.of(new DiscoveredGpu(address, vendor, "0002", "ACS", "Pro", "vfio-pci", null, "7", null, 0, 0, 0,
            new FullPassthrough(true, null, usedBy), null, null, null, null, null, List.of(), List.of()));
      case 2: // vGPUs on the GPU
        for (int i = 0; i < 1 + random.nextInt(2); i++) {
          vgpus.add(new VirtualGpu(uuids[i], "sim-8q", 2, 8192L, 4, 0, 0, null, random.nextBoolean() ? usedBy : null));
        }
        break;
      case 3: // SR-IOV VFs
        for (String vf : vfAddresses) {
          vfs.add(new VirtualGpu(vf, random.nextBoolean() ? "sim-vf" : null, 1, null, null, null, null, null,
              random.nextBoolean() ? usedBy : null));
        }
        break;
      default: // NVIDIA vGPU on SR-IOV: a vGPU on the first VF
        vendor = "10de";
        for (String vf : vfAddresses) {
          vfs.add(new VirtualGpu(vf, null, null, null, null, null, null, null, null));
        }
        vgpus.add(new VirtualGpu(uuids[2], "sim-8q", 2, 8192L, 4, 0, 0, null, usedBy, null, null, List.of(),
            vfAddresses.get(0)));
        break;
    }
    return List.of(new DiscoveredGpu(address, vendor, "0002", "ACS", "Pro", "nvidia", null, "8", null, 1,
        vfs.size(), vfs.size(), new FullPassthrough(false, null, null), null, null, null, null, null, vgpus, vfs));
  }
}
