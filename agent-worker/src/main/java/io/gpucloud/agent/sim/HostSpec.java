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
 */
public record HostSpec(
    String name,
    int cpuCores,
    int cpuMhz,
    long memoryMb,
    int numaNodes,
    String cpuModel,
    List<Card> cards,
    List<Gpu> gpus) {

  /** The profile name of a whole-device assignment; implicit on every card, never listed in {@code profiles}. */
  public static final String PASSTHROUGH = "passthrough";

  public HostSpec {
    cpuModel = cpuModel == null ? "x86_64" : cpuModel;
    cards = cards == null ? List.of() : List.copyOf(cards);
    gpus = gpus == null ? List.of() : List.copyOf(gpus);
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
