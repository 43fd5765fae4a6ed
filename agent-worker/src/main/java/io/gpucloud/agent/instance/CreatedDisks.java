package io.gpucloud.agent.instance;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Which set-up created an instance's root disk: one small JSON file per instance, {@code
 * <stateDir>/disk-<instanceId>.json}, written <em>before</em> the volume is created (as {@link CreatedMdevs}), so a
 * crash between the two leaves a record that the undo of that set-up clears, never a disk nobody deletes.
 *
 * <p>The record names the set-up by its workflow id (deploy-..., start-...): the undo of a set-up deletes the disk
 * only when that same set-up created it. A start of a stopped instance finds the disk and clears a record left by
 * another set-up, so its undo never deletes the disk the instance still needs.
 */
final class CreatedDisks {
  /** The disk {@code volume} in {@code pool} of the instance, created by the set-up {@code setUpId} (may be null). */
  @JsonIgnoreProperties(ignoreUnknown = true)
  record Record(String instanceId, String vmName, String pool, String volume, String setUpId) {}

  private final StateFiles files;

  CreatedDisks(Path dir) {
    this.files = new StateFiles(dir, "disk-", ".json");
  }

  Path file(String instanceId) {
    return files.file(instanceId);
  }

  Optional<Record> read(String instanceId) {
    Path f = file(instanceId);
    if (!Files.exists(f)) {
      return Optional.empty();
    }
    return Optional.of(StateFiles.read(f, StateFiles.fromJson(Record.class)));
  }

  void write(Record r) {
    files.write(file(r.instanceId()), StateFiles.toJson(r));
  }

  void forget(String instanceId) {
    StateFiles.delete(file(instanceId));
  }
}
