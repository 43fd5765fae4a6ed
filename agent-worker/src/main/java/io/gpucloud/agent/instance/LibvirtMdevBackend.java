package io.gpucloud.agent.instance;

import io.gpucloud.activities.model.PciAddress;
import io.gpucloud.agent.domain.CanonicalUuid;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.libvirt.Connect;
import org.libvirt.Device;
import org.libvirt.Error.ErrorNumber;
import org.libvirt.LibvirtException;

/**
 * mdevs as libvirt node devices, through the agent's connection: the default backend.
 *
 * <p>An mdev is looked up as node device {@code mdev_<uuid>} (libvirt 9 may also name an mdev it created through
 * mdevctl {@code mdev_<uuid>_<parent>}; both are tried, after the name recorded at creation). A missing one is
 * created with {@code virNodeDeviceCreateXML} (transient mdev, through mdevctl, on qemu:///system) and removed with
 * {@code virNodeDeviceDestroy}. libvirt 9.0's test driver cannot create mdevs (its nodeDeviceCreateXML only knows
 * vHBAs: "Device is not a fibre channel HBA"), but a simulated host's document already lists every mdev of its
 * discovery report, so lookup finds them and nothing is created or destroyed there.
 */
public final class LibvirtMdevBackend implements MdevBackend {
  private final Connect connect;

  public LibvirtMdevBackend(Connect connect) {
    this.connect = Objects.requireNonNull(connect, "connect");
  }

  /** libvirt's node device name of an mdev: "mdev_" + uuid with '-' replaced by '_' (lower case). */
  public static String nodeDeviceName(String uuid) {
    return "mdev_" + CanonicalUuid.normalize(uuid, "mdev uuid").replace('-', '_');
  }

  @Override
  public String describe(PciAddress parent) {
    return "node device " + parent.nodeDeviceName();
  }

  @Override
  public boolean exists(String uuid, String parentNodeDevice, String recordedName) throws LibvirtException {
    return find(uuid, parentNodeDevice, recordedName).isPresent();
  }

  @Override
  public Optional<Parent> parent(PciAddress address) throws LibvirtException {
    Device device;
    try {
      device = connect.deviceLookupByName(address.nodeDeviceName());
    } catch (LibvirtException e) {
      if (LibvirtFailures.code(e) == ErrorNumber.VIR_ERR_NO_NODE_DEVICE) {
        return Optional.empty();
      }
      throw e;
    }
    return Optional.of(() -> MdevXml.types(device.getXMLDescription()));
  }

  @Override
  public String create(PciAddress parent, String typeId, String uuid) throws LibvirtException {
    Device created = connect.deviceCreateXML(MdevXml.create(parent.nodeDeviceName(), typeId, uuid));
    return created.getName();
  }

  @Override
  public boolean remove(String uuid, String parentNodeDevice, String recordedName) throws LibvirtException {
    Optional<Device> dev = find(uuid, parentNodeDevice, recordedName);
    if (dev.isEmpty()) {
      return false;
    }
    dev.get().destroy();
    return true;
  }

  /** The mdev node device, by its recorded name, {@code mdev_<uuid>} or {@code mdev_<uuid>_<parent>}. */
  private Optional<Device> find(String uuid, String parentName, String recordedName) throws LibvirtException {
    Set<String> names = new LinkedHashSet<>();
    if (recordedName != null) {
      names.add(recordedName);
    }
    String base = nodeDeviceName(uuid);
    names.add(base);
    if (parentName != null && parentName.startsWith("pci_")) {
      names.add(base + "_" + parentName.substring("pci_".length()));
    }
    for (String n : names) {
      try {
        return Optional.of(connect.deviceLookupByName(n));
      } catch (LibvirtException e) {
        if (LibvirtFailures.code(e) != ErrorNumber.VIR_ERR_NO_NODE_DEVICE) {
          throw e;
        }
      }
    }
    return Optional.empty();
  }
}
