package io.gpucloud.agent.instance;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gpucloud.agent.domain.CanonicalUuid;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
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
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The disk {@code volume} in {@code pool} of the instance, created by the set-up {@code setUpId} (may be null). */
  @JsonIgnoreProperties(ignoreUnknown = true)
  record Record(String instanceId, String vmName, String pool, String volume, String setUpId) {}

  private final Path dir;

  CreatedDisks(Path dir) {
    this.dir = dir;
  }

  Path file(String instanceId) {
    String id = CanonicalUuid.normalize(instanceId, "instance id");
    return dir.resolve("disk-" + id + ".json");
  }

  Optional<Record> read(String instanceId) {
    Path f = file(instanceId);
    if (!Files.exists(f)) {
      return Optional.empty();
    }
    try {
      return Optional.of(JSON.readValue(f.toFile(), Record.class));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read agent state file " + f + ": " + e.getMessage(), e);
    }
  }

  void write(Record r) {
    Path f = file(r.instanceId());
    try {
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

  void forget(String instanceId) {
    Path f = file(instanceId);
    try {
      Files.deleteIfExists(f);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete agent state file " + f + ": " + e.getMessage(), e);
    }
  }
}
