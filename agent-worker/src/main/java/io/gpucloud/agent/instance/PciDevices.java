package io.gpucloud.agent.instance;

import static io.gpucloud.agent.instance.HostStepException.Kind.LIBVIRT;

import io.gpucloud.activities.instance.AssignedDevice;
import io.gpucloud.activities.model.PciAddress;
import java.util.Objects;
import org.libvirt.Connect;
import org.libvirt.Error.ErrorNumber;
import org.libvirt.LibvirtException;

/** PCI devices of instances (passthrough GPUs, SR-IOV VFs): they must exist as libvirt node devices. */
final class PciDevices {
  private final Connect connect;

  PciDevices(Connect connect) {
    this.connect = Objects.requireNonNull(connect, "connect");
  }

  /** Fails (non-retryable) when the PCI device {@code d} is not a node device of this host. */
  void requireExists(AssignedDevice d) {
    String name = address(d.busAddress(), d).nodeDeviceName();
    try {
      connect.deviceLookupByName(name);
    } catch (LibvirtException e) {
      if (LibvirtFailures.code(e) == ErrorNumber.VIR_ERR_NO_NODE_DEVICE) {
        throw HostStepException.permanent(LIBVIRT, "PCI device " + d.busAddress() + " (node device " + name
            + ") does not exist on this host");
      }
      throw LibvirtFailures.failure("cannot look up PCI device " + d.busAddress(), e);
    }
  }

  /** {@code text} (an address of device {@code d}) as a PCI address; fails (non-retryable) naming the device. */
  static PciAddress address(String text, AssignedDevice d) {
    try {
      return PciAddress.parse(text);
    } catch (IllegalArgumentException e) {
      throw HostStepException.permanent(LIBVIRT, "device " + d.deviceId() + ": " + e.getMessage());
    }
  }
}
