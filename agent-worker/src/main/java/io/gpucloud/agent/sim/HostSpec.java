package io.gpucloud.agent.sim;

import io.gpucloud.activities.model.PciAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * A simulated GPU host as an operator writes it in a YAML file (see {@code hosts/H1.yml}); load it with
 * {@link HostSpecLoader}, which validates it. Addresses are kept in the full lower-case form "0000:00:01.0",
 * vendor/device ids as 4 lower-case hex digits.
 *
 * @param name host name (also the seed of the stable mdev uuids)
 * @param cpuCores logical CPUs (a multiple of numaNodes)
 * @param cpuMhz CPU frequency in MHz
 * @param memoryMb RAM in MiB
 * @param numaNodes NUMA nodes (>= 1); every GPU's numaNode is below it
 * @param cpuModel CPU model libvirt reports (default "x86_64")
 * @param storagePool the libvirt storage pool that holds the root disks (default: a host-local pool "default")
 */
public record HostSpec(
    String name,
    int cpuCores,
    int cpuMhz,
    long memoryMb,
    int numaNodes,
    String cpuModel,
    List<Card> cards,
    List<Gpu> gpus,
    StoragePool storagePool) {

  /** The profile name of a whole-device assignment; implicit on every card, never listed in {@code profiles}. */
  public static final String PASSTHROUGH = "passthrough";

  public HostSpec {
    cpuModel = cpuModel == null ? "x86_64" : cpuModel;
    cards = cards == null ? List.of() : List.copyOf(cards);
    gpus = gpus == null ? List.of() : List.copyOf(gpus);
    storagePool = storagePool == null ? StoragePool.DEFAULT : storagePool;
  }

  /** A spec with the default storage pool. */
  public HostSpec(String name, int cpuCores, int cpuMhz, long memoryMb, int numaNodes, String cpuModel,
      List<Card> cards, List<Gpu> gpus) {
    this(name, cpuCores, cpuMhz, memoryMb, numaNodes, cpuModel, cards, gpus, null);
  }

  /**
   * The simulated host's storage pool for root disks: a libvirt {@code dir} pool in its test-driver document whose
   * target path is a real directory, where the simulated host keeps one small file per volume ({@link
   * SavedVolumes}), so the volumes outlive the agent and hosts that share the directory share the volumes.
   *
   * @param name the pool's libvirt name
   * @param path its directory: absolute, or relative to the host's state directory; null: {@code <state-dir>/pool}
   *     for a host-local pool, {@code <state-dir>/../shared-pools/<name>} for a shared one (so hosts whose state
   *     directories sit side by side, as scripts/stack.sh puts them, share it)
   * @param shared whether other hosts mount the same pool (NFS primary storage): a cold migration between hosts
   *     that share it copies nothing
   */
  public record StoragePool(String name, String path, boolean shared) {
    public static final StoragePool DEFAULT = new StoragePool("default", null, false);

    /** The pool's directory for a host whose state directory is {@code stateDir}. */
    public java.nio.file.Path directory(java.nio.file.Path stateDir) {
      java.nio.file.Path state = stateDir.toAbsolutePath().normalize();
      if (path != null) {
        return state.resolve(path).normalize();
      }
      return (shared ? state.resolveSibling("shared-pools").resolve(name) : state.resolve("pool")).normalize();
    }
  }

  public Optional<Card> card(String key) {
    return cards.stream().filter(c -> c.key().equals(key)).findFirst();
  }

  /**
   * A GPU card model: "ACS Simulated Graphics Card Pro" 1ae0:0002 and the vGPU profiles it offers (besides the
   * implicit passthrough).
   */
  public record Card(
      String key, String vendorId, String deviceId, String vendor, String device, List<Profile> profiles) {
    public Card {
      profiles = profiles == null ? List.of() : List.copyOf(profiles);
    }

    public Optional<Profile> profile(String name) {
      return profiles.stream().filter(p -> p.name().equals(name)).findFirst();
    }
  }

  /** A vGPU profile such as sim-8q: video RAM in MiB, heads, max resolution, vGPUs per physical GPU. */
  public record Profile(
      String name, long videoRamMb, int maxHeads, int maxResolutionX, int maxResolutionY, int maxPerGpu) {}

  /** How one physical GPU is used. */
  public enum Mode {
    /** The whole GPU goes to one VM (driver vfio-pci). */
    PASSTHROUGH,
    /** Carved into mediated devices (vGPUs) of one profile; the GPU itself is VGPU_ONLY. */
    VGPU,
    /** Exposes SR-IOV virtual functions of one profile; the GPU itself is VGPU_ONLY. */
    SRIOV
  }

  /**
   * One physical GPU on the host.
   *
   * @param address full PCI address, "0000:00:05.0"
   * @param card key of a {@link Card} of this spec
   * @param numaNode NUMA node (default 0)
   * @param pciRoot PCI root (root port) address, full form; defaults to the GPU's own address
   * @param iommuGroup IOMMU group; null: numbered automatically in spec order
   * @param vgpuProfile when set, the GPU is carved into mdevs of this profile of its card
   * @param vgpuCount how many mdevs exist (null: the profile's maxPerGpu)
   * @param vfProfile when set, the GPU exposes SR-IOV VFs of this profile of its card
   * @param vfCount how many VFs are enabled (null: the profile's maxPerGpu)
   * @param usedByVm VM that holds the whole GPU (passthrough only), null: none
   * @param instancesUsedByVm per mdev / VF index, the VM that holds it (null entries: free); may be shorter
   */
  public record Gpu(
      String address,
      String card,
      int numaNode,
      String pciRoot,
      Integer iommuGroup,
      String vgpuProfile,
      Integer vgpuCount,
      String vfProfile,
      Integer vfCount,
      String usedByVm,
      List<String> instancesUsedByVm) {

    public Gpu {
      // may hold nulls (free instances), so no List.copyOf
      instancesUsedByVm =
          instancesUsedByVm == null ? List.of() : Collections.unmodifiableList(new ArrayList<>(instancesUsedByVm));
    }

    /** A plain passthrough GPU. */
    public static Gpu passthrough(String address, String card, int numaNode) {
      return new Gpu(address, card, numaNode, null, null, null, null, null, null, null, null);
    }

    public Mode mode() {
      if (vgpuProfile != null) return Mode.VGPU;
      if (vfProfile != null) return Mode.SRIOV;
      return Mode.PASSTHROUGH;
    }

    public PciAddress pciAddress() {
      return PciAddress.parse(address);
    }

    /** The VM that holds mdev / VF number {@code index}, or null. */
    public String instanceUsedByVm(int index) {
      return index < instancesUsedByVm.size() ? instancesUsedByVm.get(index) : null;
    }
  }
}
