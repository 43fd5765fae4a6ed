package io.gpucloud.agent.instance;

import io.gpucloud.activities.model.PciAddress;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import org.libvirt.LibvirtException;

/**
 * The host interface that finds, creates and removes mdevs: the seam under {@link MdevManager}, which decides what
 * to create for which instance, keeps the record and applies the rules. Two implementations:
 *
 * <ul>
 *   <li>{@link LibvirtMdevBackend}, the default: libvirt node devices through the agent's connection
 *       ({@code virNodeDeviceCreateXML} / {@code virNodeDeviceDestroy}; on qemu:///system libvirt creates
 *       transient mdevs through mdevctl);
 *   <li>{@link SysfsMdevBackend}: the kernel's mdev interface under a root directory, the way mdevctl drives it
 *       (agent option {@code --mdev-backend sysfs}).
 * </ul>
 *
 * <p>Every call may fail with the error of the interface underneath (LibvirtException, IOException); the manager
 * turns it into a {@link HostStepException} with the step's context.
 */
public interface MdevBackend {

  /** A parent GPU that exists on this host. */
  interface Parent {
    /** The mdev types it offers; none when it lists none (or its description cannot be read as a list). */
    List<MdevType> types() throws LibvirtException, IOException;
  }

  /** How the parent is named in messages: "node device pci_0000_00_05_0", "sysfs /sys/class/mdev_bus/...". */
  String describe(PciAddress parent);

  /**
   * Whether the mdev exists now.
   *
   * @param parentNodeDevice the parent's libvirt node device name ("pci_0000_00_05_0"), as recorded
   * @param recordedName the name {@link #create} returned for it, or null
   */
  boolean exists(String uuid, String parentNodeDevice, String recordedName) throws LibvirtException, IOException;

  /** The parent GPU, or empty when this host has no such device (or, for sysfs, no mdev bus on it). */
  Optional<Parent> parent(PciAddress address) throws LibvirtException, IOException;

  /** Creates the mdev; returns the name it has on this interface (recorded, then given back to find it). */
  String create(PciAddress parent, String typeId, String uuid) throws LibvirtException, IOException;

  /** Removes the mdev if it exists; true when it did. Arguments as for {@link #exists}. */
  boolean remove(String uuid, String parentNodeDevice, String recordedName) throws LibvirtException, IOException;
}
