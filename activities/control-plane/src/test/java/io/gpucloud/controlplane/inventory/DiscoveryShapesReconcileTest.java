package io.gpucloud.controlplane.inventory;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.gpucloud.activities.discovery.DiscoveredGpu;
import io.gpucloud.activities.discovery.DiscoveryReport;
import io.gpucloud.activities.model.DeviceState;
import io.gpucloud.activities.model.DeviceType;
import io.gpucloud.activities.model.GpuDevice;
import io.gpucloud.activities.model.ManagedState;
import io.gpucloud.activities.model.VgpuProfile;
import io.temporal.common.converter.JacksonJsonPayloadConverter;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The reports of real hardware shapes, as the agent's discovery produced them (golden copies written by the
 * agent's DiscoveryShapesTest from CloudStack-shaped fixtures and from our gpudiscovery.sh on sysfs trees), go
 * through the reconcile; the resulting inventory is asserted device by device: address, type, parent, profile,
 * state, NUMA node, allocatable or not. Every inventory here also passes {@link #assertOneExposurePerPath}.
 */
class DiscoveryShapesReconcileTest {
  static final String HOST = "host-shapes";
  static final ObjectMapper TEMPORAL_JSON = JacksonJsonPayloadConverter.newDefaultObjectMapper();
  static final Set<String> SENTINEL_TEXT = Set.of("", "null", "unknown", "none", "n/a", "-1");
  static final String L40S_MDEV_USED = "3f1c9a52-6b0e-4d7a-9c3e-5a2b8f0d4e61";
  static final String L40S_MDEV_2 = "7a04e6b3-2c91-4f58-8d2e-0b6c3a9f1e72";
  static final String L40S_24Q_1 = "c2d8f1a4-9e37-4b06-a5c1-7f3e2d9b8a03";
  static final String L40S_24Q_2 = "e95b0c7d-4a12-4e8f-b6d3-1c0a7e5f2b94";

  final AtomicInteger seq = new AtomicInteger();

  // ---- running the reconcile as InventoryActivitiesImpl does, minus the database ----------------------

  static DiscoveryReport report(String name) {
    try (InputStream in = DiscoveryShapesReconcileTest.class.getResourceAsStream("/discovery/reports/" + name + ".json")) {
      assertThat(in).as("golden report %s", name).isNotNull();
      return TEMPORAL_JSON.readValue(in, DiscoveryReport.class);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  static String cardId(DiscoveredGpu g) {
    return "card-" + g.vendorId() + ":" + g.deviceId();
  }

  /** Card and profile ids as InventoryActivitiesImpl resolves them: the passthrough profile and profileNeeds. */
  static InventorySnapshot snapshot(List<GpuDevice> devices, DiscoveryReport r, Map<String, String> vms) {
    Map<String, String> cards = new HashMap<>();
    Map<String, String> profiles = new HashMap<>();
    for (DiscoveredGpu g : r.gpus()) {
      String card = cardId(g);
      cards.put(InventorySnapshot.cardKey(g.vendorId(), g.deviceId()), card);
      profiles.put(InventorySnapshot.profileKey(card, VgpuProfile.PASSTHROUGH), card + "/" + VgpuProfile.PASSTHROUGH);
      for (DiscoveredLayout.ProfileNeed need : DiscoveredLayout.of(g).profileNeeds()) {
        profiles.put(InventorySnapshot.profileKey(card, need.name()), card + "/" + need.name());
      }
    }
    return new InventorySnapshot(HOST, devices, cards, profiles, vms);
  }

  ReconcilePlan plan(List<GpuDevice> devices, DiscoveryReport r, Map<String, String> vms) {
    return InventoryReconciler.plan(snapshot(devices, r, vms), r, () -> "dev-" + seq.incrementAndGet(),
        Instant.parse("2026-12-01T00:00:00Z"));
  }

  /** The inventory after the plan is applied, in the order of the rows. */
  static List<GpuDevice> apply(List<GpuDevice> before, ReconcilePlan p) {
    Map<String, GpuDevice> byId = new LinkedHashMap<>();
    before.forEach(d -> byId.put(d.id(), d));
    p.inserts().forEach(d -> byId.put(d.id(), d));
    p.updates().forEach(d -> byId.put(d.id(), d));
    List<GpuDevice> after = List.copyOf(byId.values());
    assertOneExposurePerPath(after);
    assertThat(after).allSatisfy(d -> assertThat(Stream.of(d.driver(), d.iommuGroup(), d.pciRoot()))
        .as("unknown is null, never sentinel text: %s", d).noneMatch(v -> v != null && SENTINEL_TEXT.contains(v)));
    return after;
  }

  /** "address type parent profile state numa allocatable" of every device, sorted by address. */
  static List<String> table(List<GpuDevice> devices) {
    Map<String, String> address = new HashMap<>();
    devices.forEach(d -> address.put(d.id(), d.busAddress()));
    return devices.stream().map(d -> String.join(" ", d.busAddress(), d.type().name(),
        d.parentDeviceId() == null ? "-" : address.get(d.parentDeviceId()),
        d.profileId() == null ? "-" : d.profileId().substring(d.profileId().indexOf('/') + 1),
        d.state().name(), String.valueOf(d.numaNode()), InventoryReconciler.allocatable(d) ? "yes" : "no"))
        .sorted().toList();
  }

  static GpuDevice at(List<GpuDevice> devices, String address) {
    return devices.stream().filter(d -> d.busAddress().equals(address)).findFirst()
        .orElseThrow(() -> new AssertionError("no device " + address));
  }

  static GpuDevice held(GpuDevice d, DeviceState state, String instance) {
    return new GpuDevice(d.id(), d.hostId(), d.busAddress(), d.type(), d.cardId(), d.profileId(), d.parentDeviceId(),
        d.numaNode(), d.pciRoot(), d.iommuGroup(), d.driver(), d.managedState(), state, instance, null, d.source(),
        d.createdAt(), d.updatedAt());
  }

  /**
   * No two devices on one parent/child path are exposed (assignable, or held by an instance) at the same time:
   * the same silicon is never offered, or given, twice. Walks every device's ancestors. The one pair the
   * reconcile cannot undo is two holders (the old rules gave the same silicon twice): both must be in Error.
   */
  static void assertOneExposurePerPath(List<GpuDevice> devices) {
    Map<String, GpuDevice> byId = new HashMap<>();
    devices.forEach(d -> byId.put(d.id(), d));
    for (GpuDevice d : devices) {
      if (!InventoryReconciler.exposed(d)) {
        continue;
      }
      int depth = 0;
      for (GpuDevice a = byId.get(d.parentDeviceId()); a != null && depth++ < 16; a = byId.get(a.parentDeviceId())) {
        boolean flaggedHolders = d.held() && a.held() && d.state() == DeviceState.Error
            && a.state() == DeviceState.Error;
        assertThat(InventoryReconciler.exposed(a) && !flaggedHolders)
            .as("%s (%s %s, held by %s) and its ancestor %s (%s %s, held by %s) are both exposed", d.busAddress(),
                d.type(), d.state(), d.instanceId(), a.busAddress(), a.type(), a.state(), a.instanceId())
            .isFalse();
      }
    }
  }

  static List<String> vfs(String bus, int first, int count, String line) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      int fn = first + i;
      out.add(String.format("0000:%s:%02x.%d %s", bus, fn / 8, fn % 8, line));
    }
    return out;
  }

  static List<String> lines(Object... parts) {
    List<String> out = new ArrayList<>();
    for (Object p : parts) {
      if (p instanceof List<?> l) {
        l.forEach(x -> out.add((String) x));
      } else {
        out.add((String) p);
      }
    }
    return out.stream().sorted().toList();
  }

  // ---- NVIDIA vGPU on SR-IOV ----------------------------------------------------------------------------

  /** The rows of 2 x L40S with vGPUs on their first two VFs; {@code firstMdev} is the state of the used one. */
  static List<String> l40sTable(String firstMdev, String firstVf, String gpu0) {
    return lines(
        "0000:41:00.0 VGPU_ONLY - - " + gpu0 + " 0 no",
        "0000:41:00.4 VGPU_ONLY 0000:41:00.0 - " + firstVf + " 0 no",
        "0000:41:00.5 VGPU_ONLY 0000:41:00.0 - Free 0 no",
        vfs("41", 6, 30, "VGPU_ONLY 0000:41:00.0 - Free 0 no"),
        L40S_MDEV_USED + " MDEV 0000:41:00.4 NVIDIA L40S-12Q " + firstMdev,
        L40S_MDEV_2 + " MDEV 0000:41:00.5 NVIDIA L40S-12Q Free 0 yes",
        "0000:61:00.0 VGPU_ONLY - - Free 1 no",
        vfs("61", 4, 32, "VGPU_ONLY 0000:61:00.0 - Free 1 no"),
        L40S_24Q_1 + " MDEV 0000:61:00.4 NVIDIA L40S-24Q Free 1 yes",
        L40S_24Q_2 + " MDEV 0000:61:00.5 NVIDIA L40S-24Q Free 1 yes");
  }

  @Test
  void cloudstackL40sNoVfIsEverAPciDeviceAndEachVgpuHangsOnItsVf() {
    DiscoveryReport r = report("cloudstack-l40s-vgpu-on-vfs");
    ReconcilePlan fresh = plan(List.of(), r, Map.of());
    List<GpuDevice> inv = apply(List.of(), fresh);
    // the vGPU in use by a VM the control plane does not know is kept out; its VF and GPU show why
    assertThat(table(inv)).containsExactlyElementsOf(l40sTable("Error 0 no", "Error", "Error"));
    assertThat(fresh.errors()).containsExactly(L40S_MDEV_USED + ": in use by unknown VM 'i-2-41-VM'");
    assertThat(at(inv, "0000:41:00.6").errorReason()).isNull();
    assertThat(inv.stream().filter(InventoryReconciler::allocatable)).extracting(GpuDevice::type)
        .containsOnly(DeviceType.MDEV).hasSize(3);

    // the usual case: an instance of ours holds that vGPU; the rediscovery keeps it and changes nothing else
    String inst = "inst-41";
    List<GpuDevice> ours = inv.stream().map(d -> d.busAddress().equals(L40S_MDEV_USED)
        ? held(d, DeviceState.Allocated, inst) : d).toList();
    ReconcilePlan again = plan(ours, r, Map.of("i-2-41-VM", inst));
    List<GpuDevice> after = apply(ours, again);
    assertThat(table(after)).containsExactlyElementsOf(
        l40sTable("Allocated 0 no", "PartiallyAllocated", "PartiallyAllocated"));
    assertThat(at(after, L40S_MDEV_USED).instanceId()).isEqualTo(inst);
    ReconcilePlan third = plan(after, r, Map.of("i-2-41-VM", inst));
    assertThat(third.inserts()).isEmpty();
    assertThat(third.updates()).isEmpty();
    assertThat(third.errors()).isEmpty();
    assertThat(third.summary(0, 0)).isEqualTo("reported 70 devices: no change");
  }

  @Test
  void ourScriptsL40sReportGivesTheSameInventory() {
    DiscoveryReport r = report("sysfs-l40s-vgpu-on-vfs");
    List<GpuDevice> inv = apply(List.of(), plan(List.of(), r, Map.of()));
    assertThat(table(inv)).containsExactlyElementsOf(l40sTable("Free 0 yes", "Free", "Free"));
    // a VF reports its own driver and IOMMU group
    assertThat(at(inv, "0000:41:00.4").driver()).isEqualTo("nvidia");
    assertThat(at(inv, "0000:41:00.4").iommuGroup()).isEqualTo("47");
    assertThat(at(inv, "0000:41:00.0").iommuGroup()).isEqualTo("46");
  }

  /**
   * The inventory the old rules made of that host: every VF a Free PCI device (profile from vf_profile), the
   * vGPUs on the GPU. A VM was given the VF that carries a vGPU another VM uses, and another VM a bare VF.
   */
  @Test
  void theDoubleExposureAnOldInventoryHoldsIsFlaggedNotFreed() {
    DiscoveryReport r = report("cloudstack-l40s-vgpu-on-vfs");
    List<GpuDevice> old = new ArrayList<>();
    for (DiscoveredGpu g : r.gpus()) {
      String card = cardId(g);
      String gpuId = "old-" + g.pciAddress();
      old.add(new GpuDevice(gpuId, HOST, g.pciAddress(), DeviceType.VGPU_ONLY, card, null, null, g.numaNode(),
          g.pciRoot(), g.iommuGroup(), g.driver(), ManagedState.Managed, DeviceState.Free, null, null, "DISCOVERED",
          null, null));
      g.vfInstances().forEach(v -> old.add(new GpuDevice("old-" + v.address(), HOST, v.address(), DeviceType.PCI, card,
          card + "/vf", gpuId, g.numaNode(), g.pciRoot(), null, g.driver(), ManagedState.Managed, DeviceState.Free, null,
          null, "DISCOVERED", null, null)));
      g.vgpuInstances().forEach(m -> old.add(new GpuDevice("old-" + m.address(), HOST, m.address(), DeviceType.MDEV,
          card, card + "/" + m.profileName(), gpuId, g.numaNode(), g.pciRoot(), g.iommuGroup(), g.driver(),
          ManagedState.Managed, DeviceState.Free, null, null, "DISCOVERED", null, null)));
    }
    List<GpuDevice> before = old.stream().map(d -> switch (d.busAddress()) {
      case L40S_MDEV_USED -> held(d, DeviceState.Allocated, "inst-41");
      case "0000:41:00.4" -> held(d, DeviceState.Allocated, "inst-second"); // the VF under that vGPU
      case "0000:41:00.6" -> held(d, DeviceState.Allocated, "inst-bare-vf");
      default -> d;
    }).toList();
    ReconcilePlan p = plan(before, r, Map.of("i-2-41-VM", "inst-41"));
    List<GpuDevice> inv = apply(before, p);
    // nobody loses what they hold, but both sides of the double exposure are out of service
    GpuDevice mdev = at(inv, L40S_MDEV_USED);
    GpuDevice vf = at(inv, "0000:41:00.4");
    assertThat(mdev.instanceId()).isEqualTo("inst-41");
    assertThat(vf.instanceId()).isEqualTo("inst-second");
    assertThat(mdev.parentDeviceId()).isEqualTo(vf.id());
    assertThat(mdev.state()).isEqualTo(DeviceState.Error);
    assertThat(vf.state()).isEqualTo(DeviceState.Error);
    assertThat(mdev.errorReason()).startsWith(InventoryReconciler.EXPOSED_TWICE).contains("0000:41:00.4");
    assertThat(vf.errorReason()).startsWith(InventoryReconciler.EXPOSED_TWICE).contains(L40S_MDEV_USED);
    GpuDevice bare = at(inv, "0000:41:00.6");
    assertThat(bare.type()).as("held: type stays until it is given back").isEqualTo(DeviceType.PCI);
    assertThat(bare.state()).isEqualTo(DeviceState.Error);
    assertThat(bare.errorReason()).startsWith(InventoryReconciler.VEHICLE).contains("NVIDIA GPU that hosts vGPUs");
    // every other VF is a vehicle now, never assignable
    assertThat(inv.stream().filter(d -> d.busAddress().startsWith("0000:41:0") || d.busAddress().startsWith("0000:61:0"))
        .filter(d -> !d.busAddress().endsWith(":00.0") && !d.held())).extracting(GpuDevice::type)
        .containsOnly(DeviceType.VGPU_ONLY);
    assertThat(inv.stream().filter(InventoryReconciler::allocatable)).extracting(GpuDevice::type)
        .containsOnly(DeviceType.MDEV).hasSize(3);
    assertThat(p.errors()).anyMatch(e -> e.startsWith("0000:41:00.6: vGPU vehicle"));

    // once the VF's holder is gone (the release leaves an Error device in Error), the next discovery makes it a
    // vehicle like the others, and the vGPU's own holder keeps it
    List<GpuDevice> released = inv.stream().map(d -> d.instanceId() != null && !d.instanceId().equals("inst-41")
        ? held(d, DeviceState.Error, null) : d).toList();
    List<GpuDevice> later = apply(released, plan(released, r, Map.of("i-2-41-VM", "inst-41")));
    assertThat(table(later)).containsExactlyElementsOf(
        l40sTable("Allocated 0 no", "PartiallyAllocated", "PartiallyAllocated"));
  }

  // ---- SR-IOV VFs with no vf_profile --------------------------------------------------------------------

  @Test
  void mi210VfsGetADefaultProfileAndAnUnchangedRediscoveryChangesNothing() {
    DiscoveryReport r = report("cloudstack-mi210-sriov");
    assertThat(DiscoveredLayout.of(r.gpus().get(0)).profileNeeds())
        .singleElement().satisfies(n -> {
          assertThat(n.name()).isEqualTo("vf-1of4");
          assertThat(n.defaultVf()).isTrue();
        });
    ReconcilePlan fresh = plan(List.of(), r, Map.of());
    List<GpuDevice> inv = apply(List.of(), fresh);
    assertThat(table(inv)).containsExactly(
        "0000:c3:00.0 VGPU_ONLY - - Error 1 no",
        "0000:c3:02.0 PCI 0000:c3:00.0 vf-1of4 Free 1 yes",
        "0000:c3:02.1 PCI 0000:c3:00.0 vf-1of4 Error 1 no",
        "0000:c3:02.2 PCI 0000:c3:00.0 vf-1of4 Free 1 yes",
        "0000:c3:02.3 PCI 0000:c3:00.0 vf-1of4 Free 1 yes");
    assertThat(at(inv, "0000:c3:02.0").driver()).as("no driver in the JSON: unknown, not the GPU's gim").isNull();
    assertThat(fresh.errors()).containsExactly("0000:c3:02.1: in use by unknown VM 'i-5-77-VM'");
    assertThat(fresh.markedError()).isEqualTo(1);

    // the same output again: nothing changed, and nothing says otherwise (no "back to Free" next to a new error)
    ReconcilePlan again = plan(inv, r, Map.of());
    assertThat(again.inserts()).isEmpty();
    assertThat(again.updates()).isEmpty();
    assertThat(again.errors()).isEmpty();
    assertThat(again.markedError()).isZero();
    assertThat(again.recovered()).isZero();
    assertThat(again.transitions()).isEmpty();
    assertThat(again.summary(0, 0)).isEqualTo("reported 5 devices: no change");

    // the VM goes away: the VF comes back, and the text says exactly that
    DiscoveryReport unused = new DiscoveryReport(List.of(new DiscoveredGpu(r.gpus().get(0).pciAddress(), "1002", "740f",
        null, null, "gim", null, "73", "0000:c0:03.1", 1, 8, 4, r.gpus().get(0).fullPassthrough(), null, null, null, null,
        null, List.of(), r.gpus().get(0).vfInstances().stream().map(v -> new io.gpucloud.activities.discovery.VirtualGpu(
            v.address(), null, null, null, null, null, null, v.libvirtAddress(), null)).toList())));
    ReconcilePlan back = plan(inv, unused, Map.of());
    apply(inv, back);
    assertThat(back.recovered()).isEqualTo(1);
    assertThat(back.markedError()).isZero();
    assertThat(back.errors()).isEmpty();
    assertThat(back.summary(0, 0)).isEqualTo("reported 5 devices: 0 added, 2 updated (2 Error -> Free)");
  }

  @Test
  void flex170VfsAndAWholeGpuOfTheSameCard() {
    List<GpuDevice> inv = apply(List.of(), plan(List.of(), report("cloudstack-flex170-sriov"), Map.of()));
    assertThat(table(inv)).containsExactlyElementsOf(lines(
        "0000:4d:00.0 VGPU_ONLY - - Free 0 no",
        vfs("4d", 1, 8, "PCI 0000:4d:00.0 vf-1of8 Free 0 yes"),
        "0000:9a:00.0 PCI - passthrough Free 1 yes"));
  }

  // ---- unknown values and unusable entries --------------------------------------------------------------

  @Test
  void domain1GpuWithGarbledFieldsIsUsableWithUnknownPlacementFactsAndItsNeighbourIsKept() {
    ReconcilePlan p = plan(List.of(), report("cloudstack-domain1-garbled"), Map.of());
    List<GpuDevice> inv = apply(List.of(), p);
    assertThat(table(inv)).containsExactly(
        "0000:17:00.0 PCI - passthrough Free 0 yes",
        "0001:81:00.0 PCI - passthrough Free -1 yes");
    GpuDevice dom1 = at(inv, "0001:81:00.0");
    assertThat(dom1.pciRoot()).isNull();
    assertThat(dom1.iommuGroup()).isNull();
    assertThat(dom1.driver()).isNull();
    assertThat(p.warnings()).hasSize(2).allSatisfy(w -> assertThat(w).startsWith("gpus[1]."));
    assertThat(p.errors()).isEmpty();
  }

  @Test
  void sentinelsAreStoredAsUnknownAndAnUnusableEntrySendsItsDeviceToError() {
    DiscoveryReport r = report("cloudstack-sentinels");
    ReconcilePlan fresh = plan(List.of(), r, Map.of());
    List<GpuDevice> inv = apply(List.of(), fresh);
    assertThat(table(inv)).containsExactly(
        "0000:21:00.0 VGPU_ONLY - - Free -1 no",
        "0000:22:00.0 PCI - passthrough Free -1 yes",
        "0c5e7d2a-81f3-4b69-9a40-d2e6b1c8f357 MDEV 0000:21:00.0 GRID T4-4Q Free -1 yes",
        "5b9f03e4-2d7c-4a18-8e6b-93f0a4c2d1e8 MDEV 0000:21:00.0 GRID T4-4Q Free -1 yes");
    // nothing of ours at the unusable entries' addresses: the operator hears of them all the same
    assertThat(fresh.warnings()).anyMatch(w -> w.startsWith("gpus[2].vendor_id"))
        .anyMatch(w -> w.startsWith("gpus[0].vgpu_instances[2].mdev_uuid"));
    assertThat(fresh.keptOut()).isEqualTo(2);

    // a device we had at that address is kept out of allocation with the reason, the others are reconciled
    GpuDevice e1 = new GpuDevice("d-e1", HOST, "0000:e1:00.0", DeviceType.PCI, "card-10de:20b5",
        "card-10de:20b5/passthrough", null, 1, "0000:e0:01.0", "200", "vfio-pci", ManagedState.Managed,
        DeviceState.Free, null, null, "DISCOVERED", null, null);
    List<GpuDevice> before = Stream.concat(inv.stream(), Stream.of(e1)).toList();
    ReconcilePlan p = plan(before, r, Map.of());
    List<GpuDevice> after = apply(before, p);
    GpuDevice gone = at(after, "0000:e1:00.0");
    assertThat(gone.state()).isEqualTo(DeviceState.Error);
    assertThat(gone.errorReason()).isEqualTo(InventoryReconciler.UNUSABLE
        + " (gpus[2]): gpus[2].vendor_id: expected 4 hex digits, got \"unknown\"");
    assertThat(p.errors()).containsExactly("0000:e1:00.0: " + gone.errorReason());
    assertThat(p.updates()).extracting(GpuDevice::busAddress).containsExactly("0000:e1:00.0");
    assertThat(p.summary(0, 0)).isEqualTo("reported 4 devices, 2 entries left out: 0 added, 1 updated (1 Free -> Error)");
    // held: the holder keeps it, in Error, and gets it back as Allocated once the entry is fine again
    GpuDevice e1Held = held(e1, DeviceState.Allocated, "inst-e1");
    List<GpuDevice> heldBefore = Stream.concat(inv.stream(), Stream.of(e1Held)).toList();
    GpuDevice heldAfter = at(apply(heldBefore, plan(heldBefore, r, Map.of())), "0000:e1:00.0");
    assertThat(heldAfter.instanceId()).isEqualTo("inst-e1");
    assertThat(heldAfter.state()).isEqualTo(DeviceState.Error);
  }

  // ---- host console displays, VGA and display class -----------------------------------------------------

  @Test
  void theBmcDisplayOfferedByTheOldScriptGoesOutOfService() {
    DiscoveryReport r = report("sysfs-bmc-and-a100");
    GpuDevice aspeed = new GpuDevice("d-ast", HOST, "0000:03:00.0", DeviceType.PCI, "card-1a03:2000",
        "card-1a03:2000/passthrough", null, -1, "0000:00:1c.0", "12", "ast", ManagedState.Managed, DeviceState.Free,
        null, null, "DISCOVERED", null, null);
    ReconcilePlan p = plan(List.of(aspeed), r, Map.of());
    List<GpuDevice> inv = apply(List.of(aspeed), p);
    assertThat(table(inv)).containsExactly(
        "0000:03:00.0 PCI - passthrough Error -1 no",
        "0000:17:00.0 PCI - passthrough Free 0 yes",
        "0000:cb:00.0 PCI - passthrough Free 1 yes");
    assertThat(at(inv, "0000:03:00.0").errorReason()).startsWith(InventoryReconciler.MISSING);
  }

  @Test
  void vgaAndDisplayClassGpusArePassthroughDevices() {
    List<GpuDevice> inv = apply(List.of(), plan(List.of(), report("sysfs-vga-and-display"), Map.of()));
    assertThat(table(inv)).containsExactly(
        "0000:01:00.0 PCI - passthrough Free 0 yes",
        "0000:83:00.0 PCI - passthrough Free 1 yes");
  }
}
