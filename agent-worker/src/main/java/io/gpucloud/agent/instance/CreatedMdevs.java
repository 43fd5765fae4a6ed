package io.gpucloud.agent.instance;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gpucloud.agent.domain.CanonicalUuid;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
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
  private static final ObjectMapper JSON = new ObjectMapper();

  /** One created mdev: its uuid, its parent's node device name and the node device name libvirt gave it. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  record Entry(String uuid, String parent, String deviceName) {}

  @JsonIgnoreProperties(ignoreUnknown = true)
  record Record(String instanceId, String vmName, List<Entry> mdevs) {
    Record {
      mdevs = mdevs == null ? List.of() : List.copyOf(mdevs);
    }
  }

  private final Path dir;

  CreatedMdevs(Path dir) {
    this.dir = dir;
  }

  Path file(String instanceId) {
    // the instance id is a UUID (checked), so it is safe as a file name
    String id = CanonicalUuid.normalize(instanceId, "instance id");
    return dir.resolve("mdevs-" + id + ".json");
  }

  /** The record of an instance, or an empty one. */
  Record read(String instanceId, String vmName) {
    Path f = file(instanceId);
    if (!Files.exists(f)) {
      return new Record(instanceId, vmName, List.of());
    }
    try {
      return JSON.readValue(f.toFile(), Record.class);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read agent state file " + f + ": " + e.getMessage(), e);
    }
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
    Path f = file(r.instanceId());
    try {
      if (r.mdevs().isEmpty()) {
        Files.deleteIfExists(f);
        return;
      }
      Files.createDirectories(dir);
      Path tmp = Files.createTempFile(dir, f.getFileName().toString(), ".tmp");
      try {
        JSON.writerWithDefaultPrettyPrinter().writeValue(tmp.toFile(), r);
        Files.move(tmp, f, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } finally {
        Files.deleteIfExists(tmp);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write agent state file " + f + ": " + e.getMessage(), e);
    }
  }
}
