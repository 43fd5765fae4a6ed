package io.gpucloud.controlplane.inventory;

import io.gpucloud.activities.discovery.DiscoveredGpu;
import io.gpucloud.activities.discovery.VirtualGpu;
import java.util.HashMap;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the entries of one reported GPU are, before anything is written: which VFs are vehicles for vGPUs
 * (never PCI devices of their own), which VF each mdev sits on, and the profile name of every assignable VF.
 *
 * <p>Vehicle rule (the same silicon is never offered twice): a VF is a vGPU vehicle when an mdev of the GPU
 * is created on it, when it offers mdev types itself, or when it belongs to an NVIDIA GPU that hosts vGPUs
 * (NVIDIA vGPU on SR-IOV, Ampere and later: the VFs exist only to carry vGPUs). A vehicle is stored as a
 * VGPU_ONLY child of its GPU, parent of its mdevs, and is never assigned itself.
 *
 * <p>VF profile names: the script's vf_profile when it gave one; otherwise (CloudStack's script prints "" on
 * real hardware, ours never names VFs) {@code vf-1of<N>}, N being the number of VFs enabled on the GPU
 * (sriov_numvfs, else the VFs listed), since a VF of a GPU split N ways is one N-th of it. That profile is
 * made once per card, with {@link #defaultVfDescription} as its description, by which it is found again after
 * an operator renamed it.
 */
public final class DiscoveredLayout {
  public static final String NVIDIA = "10de";

  private final DiscoveredGpu gpu;
  private final Map<String, String> vehicles = new LinkedHashMap<>();
  private final Map<String, VirtualGpu> vfs = new LinkedHashMap<>();

  private DiscoveredLayout(DiscoveredGpu gpu) {
    this.gpu = gpu;
    for (VirtualGpu vf : gpu.vfInstances()) {
      vfs.put(vf.address(), vf);
    }
    Map<String, String> carried = new HashMap<>();
    for (VirtualGpu m : gpu.vgpuInstances()) {
      if (m.parentAddress() != null && vfs.containsKey(m.parentAddress())) {
        carried.merge(m.parentAddress(), m.address(), (a, b) -> a + ", " + b);
      }
    }
    boolean nvidiaVgpu = NVIDIA.equals(gpu.vendorId())
        && (!gpu.vgpuInstances().isEmpty() || gpu.vfInstances().stream().anyMatch(v -> !v.vgpuTypes().isEmpty()));
    for (VirtualGpu vf : gpu.vfInstances()) {
      String why = null;
      if (carried.containsKey(vf.address())) {
        why = "carries vGPU " + carried.get(vf.address());
      } else if (!vf.vgpuTypes().isEmpty()) {
        why = "offers vGPU types (" + String.join(", ", vf.vgpuTypes().stream().limit(3).toList())
            + (vf.vgpuTypes().size() > 3 ? ", ..." : "") + ")";
      } else if (nvidiaVgpu) {
        why = "a VF of an NVIDIA GPU that hosts vGPUs";
      }
      if (why != null) {
        vehicles.put(vf.address(), InventoryReconciler.VEHICLE + ": " + why + "; never assigned as a PCI device");
      }
    }
  }

  public static DiscoveredLayout of(DiscoveredGpu gpu) {
    return new DiscoveredLayout(gpu);
  }

  /** Why the VF is a vGPU vehicle, or null when it is an assignable PCI device. */
  public String vehicleReason(VirtualGpu vf) {
    return vehicles.get(vf.address());
  }

  /** The VF the mdev is created on, or null when it sits on the GPU itself. */
  public VirtualGpu hostFunction(VirtualGpu mdev) {
    return mdev.parentAddress() == null ? null : vfs.get(mdev.parentAddress());
  }

  /** The profile name of an assignable VF: the script's, or the default one. */
  public String vfProfileName(VirtualGpu vf) {
    return vf.profileName() != null && !vf.profileName().isBlank() ? vf.profileName() : defaultVfProfileName();
  }

  /** Whether the VF's profile is the default one (the script named none). */
  public static boolean unnamed(VirtualGpu vf) {
    return vf.profileName() == null || vf.profileName().isBlank();
  }

  /** How many ways the GPU is split into VFs. */
  public int vfCount() {
    return gpu.sriovNumVfs() > 0 ? gpu.sriovNumVfs() : Math.max(1, gpu.vfInstances().size());
  }

  public String defaultVfProfileName() {
    return "vf-1of" + vfCount();
  }

  /** The description of the default profile: how it is found again once renamed. */
  public String defaultVfDescription() {
    return "SR-IOV virtual function, 1 of " + vfCount() + " on the GPU; named by discovery because the"
        + " discovery script gave no vf_profile: rename it freely";
  }

  /**
   * A profile the GPU's devices use, besides passthrough: its name, an entry whose sizes describe it, and
   * whether it is the default VF profile (made with {@link #defaultVfDescription}).
   */
  public record ProfileNeed(String name, VirtualGpu sample, boolean defaultVf) {}

  /** The profiles of the GPU's vGPUs and assignable VFs, once each, in report order. */
  public List<ProfileNeed> profileNeeds() {
    Map<String, ProfileNeed> needs = new LinkedHashMap<>();
    for (VirtualGpu m : gpu.vgpuInstances()) {
      needs.putIfAbsent(m.profileName(), new ProfileNeed(m.profileName(), m, false));
    }
    for (VirtualGpu vf : gpu.vfInstances()) {
      if (vehicleReason(vf) == null) {
        needs.putIfAbsent(vfProfileName(vf), new ProfileNeed(vfProfileName(vf), vf, unnamed(vf)));
      }
    }
    return List.copyOf(needs.values());
  }
}
