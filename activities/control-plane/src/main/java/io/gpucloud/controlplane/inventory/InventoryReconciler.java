package io.gpucloud.controlplane.inventory;

import io.gpucloud.activities.discovery.DiscoveredGpu;
import io.gpucloud.activities.discovery.DiscoveryProblem;
import io.gpucloud.activities.discovery.DiscoveryReport;
import io.gpucloud.activities.discovery.VirtualGpu;
import io.gpucloud.activities.model.DeviceState;
import io.gpucloud.activities.model.DeviceType;
import io.gpucloud.activities.model.GpuDevice;
import io.gpucloud.activities.model.ManagedState;
import io.gpucloud.activities.model.VgpuProfile;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * The reconcile rules, as pure logic over a snapshot (no I/O):
 * <ul>
 *   <li>a GPU that hosts vGPUs or VFs (or cannot be passed through) is a VGPU_ONLY parent; a VF that is a
 *       vehicle for vGPUs ({@link DiscoveredLayout}) is a VGPU_ONLY child of its GPU and the parent of the
 *       mdevs created on it; a VGPU_ONLY device's state is derived from its children: Error if a child is in
 *       Error, PartiallyAllocated if a child is held (or partially allocated), else Free; its own error
 *       (missing, unusable) wins;
 *   <li>a device an instance holds stays held, whatever used_by_vm says: only the instance's own
 *       lifecycle frees it (CloudStack once gave one GPU to two VMs by trusting used_by_vm);
 *   <li>a free device that some VM uses although no instance holds it in the inventory goes to Error;
 *   <li>a discovered device missing from the report goes to Error, never deleted, never Free; one whose
 *       entry was unusable, or left out as the host's console display, goes to Error with that reason;
 *   <li>a device in Error that is reported again, unused, returns to Free (or Allocated if held);
 *   <li>a device and its descendants are never exposed (assignable or held) at the same time: when both are,
 *       the one that no instance holds goes to Error, and when both are held both go to Error (their holders
 *       keep them; an operator must sort it out).
 * </ul>
 * Counts and messages describe what changed against the snapshot, so a rediscovery that changes nothing
 * reports nothing changed.
 */
public final class InventoryReconciler {
  public static final String MISSING = "missing from discovery";
  public static final String UNUSABLE = "unusable discovery entry";
  public static final String LEFT_OUT = "left out by discovery";
  public static final String VEHICLE = "vGPU vehicle";
  public static final String EXPOSED_TWICE = "exposed twice";
  public static final String DERIVED = "a vGPU/VF of this GPU is in Error";
  /** gpu_devices.error_reason is VARCHAR(1024). */
  static final int MAX_REASON = 1024;

  /** Error reasons that discovery sets and re-derives on every run. */
  private static final List<String> DISCOVERY_REASONS = List.of(MISSING, UNUSABLE, LEFT_OUT, VEHICLE, EXPOSED_TWICE);

  private final InventorySnapshot snapshot;
  private final Supplier<String> ids;
  private final Instant now;

  private final Map<String, GpuDevice> existing = new LinkedHashMap<>();
  private final Map<String, GpuDevice> result = new LinkedHashMap<>(); // by bus address, final rows
  private final Set<String> inserted = new HashSet<>();
  private final List<String> warnings = new ArrayList<>();
  private int reported;
  private int keptOut;

  private InventoryReconciler(InventorySnapshot snapshot, Supplier<String> ids, Instant now) {
    this.snapshot = snapshot;
    this.ids = ids;
    this.now = now;
    for (GpuDevice d : snapshot.devices()) {
      existing.put(d.busAddress(), d);
    }
  }

  public static ReconcilePlan plan(
      InventorySnapshot snapshot, DiscoveryReport report, Supplier<String> ids, Instant now) {
    return new InventoryReconciler(snapshot, ids, now).run(report);
  }

  /** Whether placement may hand the device out now (PlacementSql.FREE_DEVICE, as a predicate). */
  public static boolean allocatable(GpuDevice d) {
    return d.type() != DeviceType.VGPU_ONLY && d.state() == DeviceState.Free
        && d.managedState() == ManagedState.Managed && d.instanceId() == null;
  }

  /** Assignable or held: an instance may have, or may get, this silicon. */
  public static boolean exposed(GpuDevice d) {
    return d.type() != DeviceType.VGPU_ONLY && (d.held() || d.state() != DeviceState.Error);
  }

  private ReconcilePlan run(DiscoveryReport report) {
    for (DiscoveredGpu gpu : report.gpus()) {
      applyGpu(gpu);
    }
    keepOut(report.problems());
    for (GpuDevice d : existing.values()) {
      if (!result.containsKey(d.busAddress())) {
        GpuDevice kept = d;
        boolean otherError = d.state() == DeviceState.Error && ownedByDiscovery(d.errorReason())
            && !d.errorReason().startsWith(MISSING);
        if ("DISCOVERED".equals(d.source()) && (d.state() != DeviceState.Error || otherError)) {
          kept = withState(d, DeviceState.Error, MISSING + " at " + now);
        }
        result.put(d.busAddress(), kept);
      }
    }
    oneExposurePerPath();
    deriveParentStates();
    return diff();
  }

  // ---- what the report says ---------------------------------------------------------------------------

  private void applyGpu(DiscoveredGpu gpu) {
    String cardId = cardId(gpu);
    DiscoveredLayout layout = DiscoveredLayout.of(gpu);
    boolean parentOnly = gpu.hostsVirtualFunctions() || !gpu.fullPassthrough().enabled();
    GpuDevice parent = apply(gpu.pciAddress(), parentOnly ? DeviceType.VGPU_ONLY : DeviceType.PCI, cardId,
        parentOnly ? null : profileId(cardId, VgpuProfile.PASSTHROUGH), null, gpu, gpu.iommuGroup(), gpu.driver(),
        gpu.fullPassthrough().usedByVm());
    Map<String, GpuDevice> vfRows = new HashMap<>();
    for (VirtualGpu vf : gpu.vfInstances()) {
      String vehicle = layout.vehicleReason(vf);
      GpuDevice row;
      if (vehicle != null) {
        row = apply(vf.address(), DeviceType.VGPU_ONLY, cardId, null, parent.id(), gpu, vf.iommuGroup(),
            vf.driver(), vf.usedByVm());
        if (row.type() != DeviceType.VGPU_ONLY) { // held as a PCI device before the rule: the holder keeps it
          row = withState(row, DeviceState.Error, vehicle);
          result.put(row.busAddress(), row);
        }
      } else {
        row = apply(vf.address(), DeviceType.PCI, cardId, profileId(cardId, layout.vfProfileName(vf)), parent.id(),
            gpu, vf.iommuGroup(), vf.driver(), vf.usedByVm());
      }
      vfRows.put(vf.address(), row);
    }
    for (VirtualGpu m : gpu.vgpuInstances()) {
      VirtualGpu on = layout.hostFunction(m);
      GpuDevice p = on == null ? parent : vfRows.get(on.address());
      apply(m.address(), DeviceType.MDEV, cardId, profileId(cardId, m.profileName()), p.id(), gpu, gpu.iommuGroup(),
          gpu.driver(), m.usedByVm());
    }
  }

  private GpuDevice apply(String address, DeviceType type, String cardId, String profileId, String parentId,
      DiscoveredGpu gpu, String iommuGroup, String driver, String usedByVm) {
    reported++;
    GpuDevice old = existing.get(address);
    String usedBy = usedByVm != null && type != DeviceType.VGPU_ONLY ? usedByReason(usedByVm) : null;
    GpuDevice row;
    if (old == null) {
      row = new GpuDevice(ids.get(), snapshot.hostId(), address, type, cardId, profileId, parentId,
          gpu.numaNode(), gpu.pciRoot(), iommuGroup, driver, ManagedState.Managed,
          usedBy == null ? DeviceState.Free : DeviceState.Error, null, reason(usedBy), "DISCOVERED", now, now);
      inserted.add(address);
    } else if (old.held()) {
      // Held: placement facts (parent included) may be refreshed, but card, profile, type, state and owner
      // stay; an error that discovery set is set again below if it still holds.
      DeviceState state = old.state();
      String reason = old.errorReason();
      if (state == DeviceState.Error && ownedByDiscovery(reason)) {
        state = DeviceState.Allocated;
        reason = null;
      }
      row = new GpuDevice(old.id(), old.hostId(), address, old.type(), old.cardId(), old.profileId(),
          parentId, gpu.numaNode(), gpu.pciRoot(), iommuGroup, driver, old.managedState(),
          state, old.instanceId(), reason, "DISCOVERED", old.createdAt(), old.updatedAt());
    } else {
      DeviceState state = old.state();
      String reason = old.errorReason();
      if (usedBy != null) {
        state = DeviceState.Error;
        reason = reason(usedBy);
      } else if (state == DeviceState.Error || (type != DeviceType.VGPU_ONLY && state != DeviceState.Free)) {
        state = DeviceState.Free; // VGPU_ONLY states are derived below
        reason = null;
      }
      row = new GpuDevice(old.id(), old.hostId(), address, type, cardId, profileId, parentId, gpu.numaNode(),
          gpu.pciRoot(), iommuGroup, driver, old.managedState(), state, null, reason, "DISCOVERED",
          old.createdAt(), old.updatedAt());
    }
    result.put(address, row);
    return row;
  }

  /** Devices of entries the agent left out: an existing device there goes to Error with the reason. */
  private void keepOut(List<DiscoveryProblem> problems) {
    for (DiscoveryProblem p : problems) {
      if (!p.keptOut()) {
        warnings.add(p.message());
        continue;
      }
      keptOut++;
      GpuDevice d = p.address() == null ? null : existing.get(p.address());
      if (d == null || result.containsKey(d.busAddress())) {
        warnings.add(p.message()); // nothing of ours there: the operator still hears of it
        continue;
      }
      String prefix = p.kind() == DiscoveryProblem.Kind.LEFT_OUT ? LEFT_OUT : UNUSABLE;
      String reason = reason(prefix + " (" + p.entry() + "): " + p.message());
      result.put(d.busAddress(), d.state() == DeviceState.Error && Objects.equals(d.errorReason(), reason) ? d
          : withState(d, DeviceState.Error, reason));
    }
  }

  private String usedByReason(String vm) {
    return snapshot.vmNames().containsKey(vm)
        ? "in use by VM '" + vm + "', which does not hold it in the inventory"
        : "in use by unknown VM '" + vm + "'";
  }

  private static boolean ownedByDiscovery(String reason) {
    return reason != null && DISCOVERY_REASONS.stream().anyMatch(reason::startsWith);
  }

  // ---- one exposure per parent/child path -------------------------------------------------------------

  /**
   * A device and its descendants are never exposed at the same time. Decided from the inventory as it stands
   * (not in the order devices are visited), so that the same inventory always gives the same answer:
   * <ul>
   *   <li>a device no instance holds goes to Error when a device above or below it on its path is held;
   *   <li>two held devices on one path both go to Error (their holders keep them; an operator must sort it out);
   *   <li>of devices that nobody holds, any that has an exposed device below it goes to Error: what is offered
   *       is the finest split.
   * </ul>
   * The discovery rules above never build such a pair: this catches what they cannot see (a GPU held whole that
   * now reports VFs, a VF still held under a GPU now reported whole, manual devices).
   */
  private void oneExposurePerPath() {
    Map<String, GpuDevice> byId = new HashMap<>();
    Map<String, List<GpuDevice>> children = new HashMap<>();
    for (GpuDevice d : result.values()) {
      byId.put(d.id(), d);
      if (d.parentDeviceId() != null) {
        children.computeIfAbsent(d.parentDeviceId(), k -> new ArrayList<>()).add(d);
      }
    }
    Map<String, String> marks = new LinkedHashMap<>();
    for (GpuDevice d : result.values()) {
      if (!exposed(d)) {
        continue;
      }
      GpuDevice heldAbove = null;
      int depth = 0;
      for (GpuDevice a = byId.get(d.parentDeviceId()); a != null && depth++ < 8; a = byId.get(a.parentDeviceId())) {
        if (exposed(a) && a.held()) {
          heldAbove = a;
          break;
        }
      }
      List<GpuDevice> below = new ArrayList<>();
      descendants(d, children, below, 0);
      GpuDevice heldBelow = below.stream().filter(x -> exposed(x) && x.held())
          .min(Comparator.comparing(GpuDevice::busAddress)).orElse(null);
      GpuDevice offeredBelow = below.stream().filter(InventoryReconciler::exposed)
          .min(Comparator.comparing(GpuDevice::busAddress)).orElse(null);
      String reason = null;
      if (d.held()) {
        if (heldAbove != null) {
          reason = "held, and " + heldAbove.busAddress() + ", which it sits on, is held too";
        } else if (heldBelow != null) {
          reason = "held, and " + heldBelow.busAddress() + " on it is held too";
        }
      } else if (heldAbove != null) {
        reason = heldAbove.busAddress() + ", which it sits on, is held whole by an instance";
      } else if (heldBelow != null) {
        reason = heldBelow.busAddress() + " on it is held by an instance";
      } else if (offeredBelow != null) {
        reason = "offered through " + offeredBelow.busAddress() + " and the devices beside it";
      }
      if (reason != null) {
        marks.put(d.busAddress(), EXPOSED_TWICE + ": " + reason);
      }
    }
    marks.forEach((address, reason) -> result.put(address, withState(result.get(address), DeviceState.Error, reason)));
  }

  private static void descendants(GpuDevice d, Map<String, List<GpuDevice>> children, List<GpuDevice> out,
      int depth) {
    if (depth >= 8) {
      return;
    }
    for (GpuDevice c : children.getOrDefault(d.id(), List.of())) {
      out.add(c);
      descendants(c, children, out, depth + 1);
    }
  }

  // ---- parents ----------------------------------------------------------------------------------------

  /** Deepest parents first, so a GPU's state follows its VFs', which follow their mdevs'. */
  private void deriveParentStates() {
    Map<String, List<String>> children = new HashMap<>();
    Map<String, String> addressById = new HashMap<>();
    for (GpuDevice d : result.values()) {
      addressById.put(d.id(), d.busAddress());
      if (d.parentDeviceId() != null) {
        children.computeIfAbsent(d.parentDeviceId(), k -> new ArrayList<>()).add(d.busAddress());
      }
    }
    List<GpuDevice> parents = result.values().stream().filter(d -> d.type() == DeviceType.VGPU_ONLY)
        .sorted(Comparator.comparingInt((GpuDevice d) -> depth(d, addressById)).reversed()).toList();
    for (GpuDevice stale : parents) {
      GpuDevice p = result.get(stale.busAddress());
      if (p.state() == DeviceState.Error && p.errorReason() != null && !DERIVED.equals(p.errorReason())) {
        continue; // its own error (missing, unusable, used by a VM) wins over its children's
      }
      List<GpuDevice> kids = children.getOrDefault(p.id(), List.of()).stream().map(result::get).toList();
      DeviceState derived = deriveParentState(kids);
      String reason = derived == DeviceState.Error ? DERIVED : null;
      if (derived != p.state() || !Objects.equals(reason, p.errorReason())) {
        result.put(p.busAddress(), withState(p, derived, reason));
      }
    }
  }

  private int depth(GpuDevice d, Map<String, String> addressById) {
    int depth = 0;
    String parentId = d.parentDeviceId();
    while (parentId != null && depth < 8) {
      GpuDevice p = result.get(addressById.get(parentId));
      if (p == null) {
        break;
      }
      depth++;
      parentId = p.parentDeviceId();
    }
    return depth;
  }

  /** Error if a child is in Error, PartiallyAllocated if a child is held or partly allocated, else Free. */
  public static DeviceState deriveParentState(List<GpuDevice> children) {
    boolean held = false;
    for (GpuDevice c : children) {
      if (c.state() == DeviceState.Error) {
        return DeviceState.Error;
      }
      held |= c.held() || c.state() == DeviceState.Reserved || c.state() == DeviceState.Allocated
          || c.state() == DeviceState.PartiallyAllocated;
    }
    return held ? DeviceState.PartiallyAllocated : DeviceState.Free;
  }

  // ---- what changed -----------------------------------------------------------------------------------

  private ReconcilePlan diff() {
    List<GpuDevice> inserts = new ArrayList<>();
    List<GpuDevice> updates = new ArrayList<>();
    List<String> errors = new ArrayList<>();
    Map<String, Integer> transitions = new TreeMap<>();
    int markedError = 0;
    int recovered = 0;
    for (GpuDevice d : result.values()) {
      GpuDevice old = existing.get(d.busAddress());
      boolean own = !DERIVED.equals(d.errorReason()); // a parent's derived error is told by its child's
      if (inserted.contains(d.busAddress())) {
        inserts.add(d);
        if (d.state() == DeviceState.Error && own) {
          markedError++;
          errors.add(d.busAddress() + ": " + d.errorReason());
        }
        continue;
      }
      if (d.equals(old)) {
        continue;
      }
      updates.add(d);
      if (old.state() != d.state()) {
        transitions.merge(old.state() + " -> " + d.state(), 1, Integer::sum);
      }
      boolean wasError = old.state() == DeviceState.Error;
      boolean isError = d.state() == DeviceState.Error;
      if (isError && own && (!wasError || !Objects.equals(old.errorReason(), d.errorReason()))) {
        errors.add(d.busAddress() + ": " + d.errorReason());
        markedError += wasError ? 0 : 1;
      } else if (wasError && !isError && !DERIVED.equals(old.errorReason())) {
        recovered++;
      }
    }
    return new ReconcilePlan(inserts, updates, errors, warnings, markedError, recovered, reported, keptOut,
        transitions);
  }

  private static GpuDevice withState(GpuDevice d, DeviceState state, String reason) {
    return new GpuDevice(d.id(), d.hostId(), d.busAddress(), d.type(), d.cardId(), d.profileId(),
        d.parentDeviceId(), d.numaNode(), d.pciRoot(), d.iommuGroup(), d.driver(), d.managedState(), state,
        d.instanceId(), reason(reason), d.source(), d.createdAt(), d.updatedAt());
  }

  /** An error reason as gpu_devices.error_reason holds it: cut to {@value #MAX_REASON} characters. */
  static String reason(String reason) {
    if (reason == null || reason.length() <= MAX_REASON) {
      return reason;
    }
    int end = MAX_REASON - 3;
    if (Character.isHighSurrogate(reason.charAt(end - 1))) {
      end--;
    }
    return reason.substring(0, end) + "...";
  }

  private String cardId(DiscoveredGpu gpu) {
    String id = snapshot.cardIds().get(InventorySnapshot.cardKey(gpu.vendorId(), gpu.deviceId()));
    if (id == null) {
      throw new IllegalStateException("card " + gpu.vendorId() + ":" + gpu.deviceId() + " was not resolved");
    }
    return id;
  }

  private String profileId(String cardId, String name) {
    String id = snapshot.profileIds().get(InventorySnapshot.profileKey(cardId, name));
    if (id == null) {
      throw new IllegalStateException("profile " + name + " of card " + cardId + " was not resolved");
    }
    return id;
  }
}
