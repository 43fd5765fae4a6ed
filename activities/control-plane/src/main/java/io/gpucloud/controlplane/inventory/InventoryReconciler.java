package io.gpucloud.controlplane.inventory;

import io.gpucloud.activities.discovery.DiscoveredGpu;
import io.gpucloud.activities.discovery.DiscoveryReport;
import io.gpucloud.activities.discovery.VirtualGpu;
import io.gpucloud.activities.model.DeviceState;
import io.gpucloud.activities.model.DeviceType;
import io.gpucloud.activities.model.GpuDevice;
import io.gpucloud.activities.model.ManagedState;
import io.gpucloud.activities.model.VgpuProfile;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The reconcile rules, as pure logic over a snapshot (no I/O):
 * <ul>
 *   <li>a GPU that hosts vGPUs or VFs (or cannot be passed through) is a VGPU_ONLY parent; its
 *       state is derived from its children: Error if a child is in Error, PartiallyAllocated if a
 *       child is held, else Free;
 *   <li>a device an instance holds stays held, whatever used_by_vm says: only the instance's own
 *       lifecycle frees it (CloudStack once gave one GPU to two VMs by trusting used_by_vm);
 *   <li>a free device that some VM uses although no instance holds it in the inventory goes to Error;
 *   <li>a discovered device missing from the report goes to Error, never deleted, never Free;
 *   <li>a device in Error that is reported again, unused, returns to Free (or Allocated if held).
 * </ul>
 */
public final class InventoryReconciler {
  public static final String MISSING = "missing from discovery";

  private final InventorySnapshot snapshot;
  private final Supplier<String> ids;
  private final Instant now;

  private final Map<String, GpuDevice> existing = new LinkedHashMap<>();
  private final Map<String, GpuDevice> result = new LinkedHashMap<>(); // by bus address, final rows
  private final Set<String> inserted = new HashSet<>();
  private final List<String> errors = new ArrayList<>();
  private int markedError;
  private int recovered;

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

  private ReconcilePlan run(DiscoveryReport report) {
    int reported = 0;
    for (DiscoveredGpu gpu : report.gpus()) {
      String cardId = cardId(gpu);
      boolean parentOnly = gpu.hostsVirtualFunctions() || !gpu.fullPassthrough().enabled();
      GpuDevice parent =
          apply(gpu.pciAddress(), parentOnly ? DeviceType.VGPU_ONLY : DeviceType.PCI, cardId,
              parentOnly ? null : profileId(cardId, VgpuProfile.PASSTHROUGH), null, gpu,
              parentOnly ? null : gpu.fullPassthrough().usedByVm(), gpu.iommuGroup());
      reported++;
      for (VirtualGpu v : gpu.vgpuInstances()) {
        apply(v.address(), DeviceType.MDEV, cardId, profileId(cardId, v.profileName()), parent.id(), gpu,
            v.usedByVm(), gpu.iommuGroup());
        reported++;
      }
      for (VirtualGpu v : gpu.vfInstances()) {
        apply(v.address(), DeviceType.PCI, cardId, profileId(cardId, v.profileName()), parent.id(), gpu,
            v.usedByVm(), null);
        reported++;
      }
    }
    for (GpuDevice d : existing.values()) {
      if (result.containsKey(d.busAddress())) {
        continue;
      }
      GpuDevice kept = d;
      if ("DISCOVERED".equals(d.source()) && d.state() != DeviceState.Error) {
        kept = withState(d, DeviceState.Error, MISSING + " at " + now);
        markedError++;
        errors.add(d.busAddress() + ": " + MISSING);
      }
      result.put(d.busAddress(), kept);
    }
    deriveParentStates();

    List<GpuDevice> inserts = new ArrayList<>();
    List<GpuDevice> updates = new ArrayList<>();
    for (GpuDevice d : result.values()) {
      if (inserted.contains(d.busAddress())) {
        inserts.add(d);
      } else if (!d.equals(existing.get(d.busAddress()))) {
        updates.add(d);
      }
    }
    return new ReconcilePlan(inserts, updates, errors, markedError, recovered, reported);
  }

  private GpuDevice apply(String address, DeviceType type, String cardId, String profileId, String parentId,
      DiscoveredGpu gpu, String usedByVm, String iommuGroup) {
    GpuDevice old = existing.get(address);
    GpuDevice row;
    if (old == null) {
      DeviceState state = DeviceState.Free;
      String reason = null;
      if (usedByVm != null && type != DeviceType.VGPU_ONLY) {
        state = DeviceState.Error;
        reason = usedByReason(usedByVm);
        errors.add(address + ": " + reason);
        markedError++;
      }
      row = new GpuDevice(ids.get(), snapshot.hostId(), address, type, cardId, profileId, parentId,
          gpu.numaNode(), gpu.pciRoot(), iommuGroup, gpu.driver(), ManagedState.Managed, state, null, reason,
          "DISCOVERED", now, now);
      inserted.add(address);
    } else if (old.held()) {
      // Held: placement facts may be refreshed, but card, profile, type, state and owner stay.
      DeviceState state = old.state();
      String reason = old.errorReason();
      if (state == DeviceState.Error && reason != null && reason.startsWith(MISSING)) {
        state = DeviceState.Allocated;
        reason = null;
        recovered++;
      }
      row = new GpuDevice(old.id(), old.hostId(), address, old.type(), old.cardId(), old.profileId(),
          old.parentDeviceId(), gpu.numaNode(), gpu.pciRoot(), iommuGroup, gpu.driver(), old.managedState(),
          state, old.instanceId(), reason, "DISCOVERED", old.createdAt(), old.updatedAt());
    } else {
      DeviceState state = old.state();
      String reason = old.errorReason();
      if (usedByVm != null && type != DeviceType.VGPU_ONLY) {
        if (state != DeviceState.Error) {
          markedError++;
        }
        state = DeviceState.Error;
        reason = usedByReason(usedByVm);
        errors.add(address + ": " + reason);
      } else if (state == DeviceState.Error) {
        state = DeviceState.Free;
        reason = null;
        recovered++;
      }
      row = new GpuDevice(old.id(), old.hostId(), address, type, cardId, profileId, parentId, gpu.numaNode(),
          gpu.pciRoot(), iommuGroup, gpu.driver(), old.managedState(), state, null, reason, "DISCOVERED",
          old.createdAt(), old.updatedAt());
    }
    result.put(address, row);
    return row;
  }

  private String usedByReason(String vm) {
    return snapshot.vmNames().containsKey(vm)
        ? "in use by VM '" + vm + "', which does not hold it in the inventory"
        : "in use by unknown VM '" + vm + "'";
  }

  private void deriveParentStates() {
    Map<String, List<GpuDevice>> children = new LinkedHashMap<>();
    for (GpuDevice d : result.values()) {
      if (d.parentDeviceId() != null) {
        children.computeIfAbsent(d.parentDeviceId(), k -> new ArrayList<>()).add(d);
      }
    }
    for (Map.Entry<String, GpuDevice> e : result.entrySet()) {
      GpuDevice p = e.getValue();
      if (p.type() != DeviceType.VGPU_ONLY) {
        continue;
      }
      if (p.state() == DeviceState.Error && p.errorReason() != null && p.errorReason().startsWith(MISSING)) {
        continue; // the GPU itself is gone: it stays in Error whatever its children say
      }
      List<GpuDevice> kids = children.getOrDefault(p.id(), List.of());
      DeviceState derived = deriveParentState(kids);
      String reason = derived == DeviceState.Error ? "a vGPU/VF of this GPU is in Error" : null;
      if (derived != p.state() || !Objects.equals(reason, p.errorReason())) {
        e.setValue(withState(p, derived, reason));
      }
    }
  }

  /** Error if a child is in Error, PartiallyAllocated if a child is held, else Free. */
  public static DeviceState deriveParentState(List<GpuDevice> children) {
    boolean held = false;
    for (GpuDevice c : children) {
      if (c.state() == DeviceState.Error) {
        return DeviceState.Error;
      }
      held |= c.held() || c.state() == DeviceState.Reserved || c.state() == DeviceState.Allocated;
    }
    return held ? DeviceState.PartiallyAllocated : DeviceState.Free;
  }

  private static GpuDevice withState(GpuDevice d, DeviceState state, String reason) {
    return new GpuDevice(d.id(), d.hostId(), d.busAddress(), d.type(), d.cardId(), d.profileId(),
        d.parentDeviceId(), d.numaNode(), d.pciRoot(), d.iommuGroup(), d.driver(), d.managedState(), state,
        d.instanceId(), reason, d.source(), d.createdAt(), d.updatedAt());
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
