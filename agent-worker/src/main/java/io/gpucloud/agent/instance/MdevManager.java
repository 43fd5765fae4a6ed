package io.gpucloud.agent.instance;

import static io.gpucloud.agent.instance.HostStepException.Kind.LIBVIRT;

import io.gpucloud.activities.instance.AssignedDevice;
import io.gpucloud.activities.model.PciAddress;
import io.gpucloud.agent.domain.CanonicalUuid;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.libvirt.LibvirtException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The mdevs of instances: {@link #ensure} makes an instance's MDEV device exist, {@link #release} removes what
 * ensure created for the instance, and nothing else.
 *
 * <p>An mdev that exists already (pre-created by the operator, listed in a simulated host's test-driver document,
 * or created by an earlier attempt) is left as it is. A missing one is recorded in {@link CreatedMdevs} first, then
 * created through the {@link MdevBackend}, and recorded again with the name the backend gave it; a crash between
 * the two leaves an intent that release clears. release removes every recorded mdev that exists, forgets the ones
 * removed or gone, and keeps the ones it could not remove for the next attempt.
 *
 * <p>Both run under the instance's lock (held by the caller). Failures are {@link HostStepException}s with the
 * messages and retry choices of the activity's contract.
 */
final class MdevManager {
  private static final Logger LOG = LoggerFactory.getLogger(MdevManager.class);

  private final MdevBackend backend;
  private final CreatedMdevs createdMdevs;

  MdevManager(MdevBackend backend, CreatedMdevs createdMdevs) {
    this.backend = Objects.requireNonNull(backend, "backend");
    this.createdMdevs = Objects.requireNonNull(createdMdevs, "createdMdevs");
  }

  /** Creates the mdev of {@code d} (an MDEV device of instance {@code instanceId}) unless it exists. */
  void ensure(String instanceId, String vmName, AssignedDevice d) {
    String uuid = CanonicalUuid.tryNormalize(d.busAddress()).orElseThrow(() -> HostStepException.permanent(LIBVIRT,
        "device " + d.deviceId() + ": mdev uuid '" + d.busAddress() + "' is not a UUID"));
    if (d.parentBusAddress() == null || d.parentBusAddress().isBlank()) {
      throw HostStepException.permanent(LIBVIRT,
          "mdev " + uuid + " (device " + d.deviceId() + ") has no parent PCI address");
    }
    PciAddress parentAddress = PciDevices.address(d.parentBusAddress(), d);
    String parent = parentAddress.nodeDeviceName();
    try {
      if (backend.exists(uuid, parent, null)) {
        LOG.debug("mdev {} exists", uuid);
        return;
      }
    } catch (LibvirtException e) {
      throw LibvirtFailures.failure("cannot look up mdev " + uuid, e);
    } catch (IOException e) {
      throw LibvirtFailures.failure("cannot look up mdev " + uuid, e);
    }
    String typeId = typeId(parentOf(parentAddress, d, uuid), d.profileName());
    try {
      createdMdevs.add(instanceId, vmName, new CreatedMdevs.Entry(uuid, parent, null));
    } catch (UncheckedIOException e) {
      throw LibvirtFailures.stateFile(e);
    }
    String what = "cannot create mdev " + uuid + " of type " + typeId + " on " + d.parentBusAddress();
    try {
      String name = backend.create(parentAddress, typeId, uuid);
      createdMdevs.add(instanceId, vmName, new CreatedMdevs.Entry(uuid, parent, name));
      LOG.info("created mdev {} ({}) of type {} on {} for {}", uuid, name, typeId, parent, vmName);
    } catch (LibvirtException e) {
      throw LibvirtFailures.failure(what, e);
    } catch (IOException e) {
      throw LibvirtFailures.failure(what, e);
    } catch (UncheckedIOException e) {
      throw LibvirtFailures.stateFile(e);
    }
  }

  /** The parent GPU of mdev {@code uuid}; fails (non-retryable) when this host does not have it. */
  private MdevBackend.Parent parentOf(PciAddress address, AssignedDevice d, String uuid) {
    Optional<MdevBackend.Parent> parent;
    String what = "cannot look up parent GPU " + d.parentBusAddress() + " of mdev " + uuid;
    try {
      parent = backend.parent(address);
    } catch (LibvirtException e) {
      throw LibvirtFailures.failure(what, e);
    } catch (IOException e) {
      throw LibvirtFailures.failure(what, e);
    }
    return parent.orElseThrow(() -> HostStepException.permanent(LIBVIRT, "parent GPU " + d.parentBusAddress()
        + " (" + backend.describe(address) + ") of mdev " + uuid + " does not exist on this host"));
  }

  /** The parent's mdev type whose id or name is the profile (NVIDIA: id nvidia-NNN, name "... L40S-12Q"). */
  private static String typeId(MdevBackend.Parent parent, String profileName) {
    if (profileName == null || profileName.isBlank()) {
      throw HostStepException.permanent(LIBVIRT, "mdev device has no profile (mdev type)");
    }
    String what = "cannot read the mdev types of " + profileName + "'s parent";
    try {
      return MdevType.pick(parent.types(), profileName);
    } catch (LibvirtException e) {
      throw LibvirtFailures.failure(what, e);
    } catch (IOException e) {
      throw LibvirtFailures.failure(what, e);
    }
  }

  /** Undo of ensure for the whole instance: removes the mdevs recorded as created for it. */
  void release(String instanceId, String vmName) {
    CreatedMdevs.Record record;
    try {
      record = createdMdevs.read(instanceId, vmName);
    } catch (UncheckedIOException e) {
      throw LibvirtFailures.stateFile(e);
    }
    List<CreatedMdevs.Entry> left = new ArrayList<>();
    Exception firstError = null;
    String failed = null;
    for (CreatedMdevs.Entry m : record.mdevs()) {
      StepHeartbeat.step("release " + m.uuid());
      try {
        if (backend.remove(m.uuid(), m.parent(), m.deviceName())) {
          LOG.info("destroyed mdev {} of {}", m.uuid(), vmName);
        }
      } catch (LibvirtException | IOException e) {
        LOG.warn("cannot destroy mdev {} of {}: {}", m.uuid(), vmName, e.getMessage());
        left.add(m);
        if (firstError == null) {
          firstError = e;
          failed = m.uuid();
        }
      }
    }
    try {
      createdMdevs.write(new CreatedMdevs.Record(instanceId, vmName, left));
    } catch (UncheckedIOException e) {
      throw LibvirtFailures.stateFile(e);
    }
    if (firstError != null) {
      // retryable even for "permanent" codes: the mdev may still be held by a domain being torn down
      throw HostStepException.retryable(LIBVIRT, "cannot destroy mdev " + failed + ": " + firstError.getMessage(),
          firstError);
    }
  }
}
