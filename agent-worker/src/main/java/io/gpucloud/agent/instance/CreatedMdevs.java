package io.gpucloud.agent.instance;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Which mdevs this agent created for which instance: one small JSON file per instance,
 * {@code <stateDir>/mdevs-<instanceId>.json}. An mdev is recorded <em>before</em> it is created, so a crash
 * between creating and recording can never leak one: release destroys every recorded mdev that exists and
 * ignores the ones that do not. An mdev that already existed before prepareDevices (e.g. pre-created by the
 * operator, or listed in a simulated host's test-driver document) is never recorded, so never destroyed.
 */
final class CreatedMdevs {
  /** One created mdev: its uuid, its parent's node device name and the node device name libvirt gave it. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  record Entry(String uuid, String parent, String deviceName) {}

  @JsonIgnoreProperties(ignoreUnknown = true)
  record Record(String instanceId, String vmName, List<Entry> mdevs) {
    Record {
      mdevs = mdevs == null ? List.of() : List.copyOf(mdevs);
    }
  }

  private final StateFiles files;

  CreatedMdevs(Path dir) {
    this.files = new StateFiles(dir, "mdevs-", ".json");
  }

  Path file(String instanceId) {
    return files.file(instanceId);
  }

  /** The record of an instance, or an empty one. */
  Record read(String instanceId, String vmName) {
    Path f = file(instanceId);
    if (!Files.exists(f)) {
      return new Record(instanceId, vmName, List.of());
    }
    return StateFiles.read(f, StateFiles.fromJson(Record.class));
  }

  /** Adds (or updates, by uuid) an entry and writes the record atomically. */
  void add(String instanceId, String vmName, Entry entry) {
    Record r = read(instanceId, vmName);
    List<Entry> list = new ArrayList<>();
    for (Entry e : r.mdevs()) {
      if (!e.uuid().equalsIgnoreCase(entry.uuid())) {
        list.add(e);
      }
    }
    list.add(entry);
    write(new Record(instanceId, vmName, list));
  }

  /** Writes the record, or deletes the file when it has no mdevs left. */
  void write(Record r) {
    files.write(file(r.instanceId()), r.mdevs().isEmpty() ? null : StateFiles.toJson(r));
  }
}
