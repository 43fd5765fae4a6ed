package io.gpucloud.agent.instance;

import static io.gpucloud.agent.domain.DomainXmlBuilder.child;
import static io.gpucloud.agent.domain.DomainXmlBuilder.newDocument;
import static io.gpucloud.agent.domain.DomainXmlBuilder.text;
import static io.gpucloud.agent.instance.HostStepException.Kind.LIBVIRT;

import io.gpucloud.activities.instance.InstanceSpec;
import io.gpucloud.activities.instance.TemplateImage;
import io.gpucloud.agent.domain.DomainXmlBuilder;
import java.io.UncheckedIOException;
import java.util.Objects;
import java.util.Optional;
import org.libvirt.Connect;
import org.libvirt.Error.ErrorNumber;
import org.libvirt.LibvirtException;
import org.libvirt.StoragePool;
import org.libvirt.StorageVol;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

/**
 * The root disk of each instance: a qcow2 overlay whose backing store is the template's image, a volume {@code
 * root-<instanceId>.qcow2} in the host's storage pool (agent option {@code --storage-pool}), made through libvirt's
 * storage API ({@code virStorageVolCreateXML}), so every instance writes its own disk and the template image is only
 * read. Its size is the template's rootDiskGb; it is thin (allocation 0).
 *
 * <ul>
 *   <li>{@link #ensure} (set-up): the disk's path, created when missing; which set-up created it is recorded first
 *       ({@link CreatedDisks});
 *   <li>{@link #undoCreate} (the set-up's undo): deletes the disk only when that same set-up created it;
 *   <li>{@link #delete} (destroy): deletes it whoever created it.
 * </ul>
 *
 * <p>Every look-up refreshes the pool first ({@code virStoragePoolRefresh}: on a pool shared by several hosts, a
 * volume another host created or deleted), then the {@link VolumeJournal} (a simulated host's volumes). All
 * operations of this agent's disks run under one lock: they are short, and the refresh must not see a volume half
 * made. Failures are {@link HostStepException}s.
 */
final class RootDisks {
  private static final Logger LOG = LoggerFactory.getLogger(RootDisks.class);

  private final Connect connect;
  private final String poolName;
  private final VolumeJournal journal;
  private final CreatedDisks created;

  RootDisks(Connect connect, String poolName, VolumeJournal journal, CreatedDisks created) {
    this.connect = Objects.requireNonNull(connect, "connect");
    this.poolName = Objects.requireNonNull(poolName, "poolName");
    this.journal = Objects.requireNonNull(journal, "journal");
    this.created = Objects.requireNonNull(created, "created");
  }

  String poolName() {
    return poolName;
  }

  /** The volume name of an instance's root disk (the instance id is a checked UUID: safe as a file name). */
  static String volumeName(String instanceId) {
    return "root-" + instanceId + ".qcow2";
  }

  /**
   * The path of the instance's root disk, created when missing. A disk that exists is kept; when a record says
   * another set-up created it, the record is cleared (this set-up did not create it, so its undo must not delete it).
   *
   * @param setUpId the set-up (its workflow id; null outside an activity)
   */
  synchronized String ensure(String instanceId, InstanceSpec spec, String setUpId) {
    String name = volumeName(instanceId);
    TemplateImage template = spec.template();
    StoragePool pool = pool(true);
    try {
      StorageVol existing = lookup(pool, name);
      Optional<CreatedDisks.Record> record = created.read(instanceId);
      if (existing != null) {
        if (record.isPresent() && !Objects.equals(record.get().setUpId(), setUpId)) {
          created.forget(instanceId);
        }
        LOG.debug("root disk {} of {} exists", name, spec.vmName());
        return existing.getPath();
      }
      if (template == null || template.imagePath() == null || template.imagePath().isBlank()) {
        throw HostStepException.permanent(LIBVIRT, "template image path is required for the root disk of "
            + spec.vmName());
      }
      if (template.rootDiskGb() < 1) {
        throw HostStepException.permanent(LIBVIRT, "template " + template.name() + " has rootDiskGb "
            + template.rootDiskGb() + ": the root disk of " + spec.vmName() + " needs at least 1");
      }
      created.write(new CreatedDisks.Record(instanceId, spec.vmName(), poolName, name, setUpId));
      StepHeartbeat.step("create root disk " + name);
      StorageVol vol;
      try {
        vol = pool.storageVolCreateXML(volumeXml(name, template), 0);
      } catch (LibvirtException e) {
        StorageVol raced = lookup(pool, name); // created meanwhile (another agent sharing the pool)
        if (raced == null) {
          throw e;
        }
        vol = raced;
      }
      journal.created(vol);
      LOG.info("created root disk {} ({} GiB on {}) of {} in pool {}", name, template.rootDiskGb(),
          template.imagePath(), spec.vmName(), poolName);
      return vol.getPath();
    } catch (LibvirtException e) {
      throw LibvirtFailures.failure("cannot create the root disk " + name + " of " + spec.vmName() + " in pool "
          + poolName, e);
    } catch (UncheckedIOException e) {
      throw LibvirtFailures.stateFile(e);
    }
  }

  /** Undo of {@link #ensure} by the set-up {@code setUpId}: deletes the disk only if that set-up created it. */
  synchronized void undoCreate(String instanceId, String vmName, String setUpId) {
    Optional<CreatedDisks.Record> record;
    try {
      record = created.read(instanceId);
    } catch (UncheckedIOException e) {
      throw LibvirtFailures.stateFile(e);
    }
    if (record.isEmpty() || !Objects.equals(record.get().setUpId(), setUpId)) {
      LOG.debug("root disk of {} was not created by this set-up: kept", vmName);
      return;
    }
    deleteVolume(instanceId, vmName);
  }

  /** Deletes the instance's root disk (destroy); a disk that does not exist is fine. */
  synchronized void delete(String instanceId, String vmName) {
    deleteVolume(instanceId, vmName);
  }

  /** The path of the instance's root disk in this host's pool, or empty when it has none. */
  synchronized Optional<String> path(String instanceId) {
    StoragePool pool = pool(true);
    try {
      StorageVol vol = lookup(pool, volumeName(instanceId));
      return vol == null ? Optional.empty() : Optional.of(vol.getPath());
    } catch (LibvirtException e) {
      throw LibvirtFailures.failure("cannot look up the root disk of instance " + instanceId, e);
    }
  }

  /** Looks the pool up and refreshes it (logging what it holds): a check for the agent's start. */
  synchronized String describe() {
    StoragePool pool = pool(true);
    try {
      return "pool " + poolName + " (" + pool.numOfVolumes() + " volume(s))";
    } catch (LibvirtException e) {
      throw LibvirtFailures.failure("cannot read storage pool " + poolName, e);
    }
  }

  private void deleteVolume(String instanceId, String vmName) {
    String name = volumeName(instanceId);
    StoragePool pool = pool(false);
    try {
      if (pool != null) {
        StorageVol vol = lookup(pool, name);
        if (vol != null) {
          StepHeartbeat.step("delete root disk " + name);
          try {
            vol.delete(0);
          } catch (LibvirtException e) {
            if (LibvirtFailures.code(e) != ErrorNumber.VIR_ERR_NO_STORAGE_VOL) {
              throw e;
            }
          }
          journal.deleted(name);
          LOG.info("deleted root disk {} of {} from pool {}", name, vmName, poolName);
        }
      }
      created.forget(instanceId);
    } catch (LibvirtException e) {
      throw LibvirtFailures.failure("cannot delete the root disk " + name + " of " + vmName + " from pool "
          + poolName, e);
    } catch (UncheckedIOException e) {
      throw LibvirtFailures.stateFile(e);
    }
  }

  /**
   * The pool, refreshed. A pool that does not exist fails (non-retryable) when {@code required}, else is null (then
   * no disk of it can exist); an inactive one fails retryably (an NFS mount may come back).
   */
  private StoragePool pool(boolean required) {
    StoragePool pool;
    try {
      pool = connect.storagePoolLookupByName(poolName);
    } catch (LibvirtException e) {
      if (LibvirtFailures.code(e) == ErrorNumber.VIR_ERR_NO_STORAGE_POOL) {
        if (!required) {
          LOG.warn("storage pool {} does not exist on this host: no root disk to delete", poolName);
          return null;
        }
        throw HostStepException.permanent(LIBVIRT, "storage pool " + poolName
            + " does not exist on this host (agent option --storage-pool): " + e.getMessage(), e);
      }
      throw LibvirtFailures.failure("cannot look up storage pool " + poolName, e);
    }
    try {
      if (pool.isActive() != 1) {
        throw HostStepException.retryable(LIBVIRT, "storage pool " + poolName + " is not active on this host", null);
      }
      pool.refresh(0);
    } catch (LibvirtException e) {
      throw LibvirtFailures.failure("cannot refresh storage pool " + poolName, e);
    }
    journal.refresh(pool);
    return pool;
  }

  private static StorageVol lookup(StoragePool pool, String name) throws LibvirtException {
    try {
      return pool.storageVolLookupByName(name);
    } catch (LibvirtException e) {
      if (LibvirtFailures.code(e) == ErrorNumber.VIR_ERR_NO_STORAGE_VOL) {
        return null;
      }
      throw e;
    }
  }

  /**
   * The volume XML of a root disk: a thin qcow2 overlay of {@code rootDiskGb} GiB backed by the template's qcow2
   * image.
   */
  static String volumeXml(String name, TemplateImage template) {
    Document doc = newDocument();
    Element volume = doc.createElement("volume");
    doc.appendChild(volume);
    text(volume, "name", name);
    text(volume, "capacity", Long.toString(template.rootDiskGb())).setAttribute("unit", "GiB");
    text(volume, "allocation", "0").setAttribute("unit", "bytes");
    child(child(volume, "target"), "format").setAttribute("type", "qcow2");
    Element backing = child(volume, "backingStore");
    text(backing, "path", template.imagePath());
    child(backing, "format").setAttribute("type", "qcow2");
    return DomainXmlBuilder.serialize(doc);
  }
}
