package io.gpucloud.agent.instance;

import io.gpucloud.agent.domain.CanonicalUuid;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Objects;

/**
 * Which reboot already rebooted an instance's guest: {@code <stateDir>/reboot-<instanceId>}, holding the rebooting
 * workflow's id, written right after the reboot and deleted once onStart has run. A retry of that same reboot after
 * a crash between the two finds the mark and only runs onStart, instead of rebooting the guest a second time. A
 * crash between the reboot call and the mark (one file write) still reboots twice; a reboot outside an activity (no
 * workflow id) leaves no mark.
 */
final class RebootMarks {
  private final Path dir;

  RebootMarks(Path dir) {
    this.dir = dir;
  }

  Path file(String instanceId) {
    return dir.resolve("reboot-" + CanonicalUuid.normalize(instanceId, "instance id"));
  }

  /** Whether the reboot {@code operationId} (non-null) has rebooted the instance already. */
  boolean rebooted(String instanceId, String operationId) {
    Path f = file(instanceId);
    if (operationId == null || !Files.exists(f)) {
      return false;
    }
    try {
      return Objects.equals(Files.readString(f, StandardCharsets.UTF_8).strip(), operationId);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read agent state file " + f + ": " + e.getMessage(), e);
    }
  }

  void mark(String instanceId, String operationId) {
    if (operationId == null) {
      return;
    }
    Path f = file(instanceId);
    try {
      Files.createDirectories(dir);
      Path tmp = Files.createTempFile(dir, f.getFileName().toString(), ".tmp");
      try {
        Files.writeString(tmp, operationId + "\n", StandardCharsets.UTF_8);
        Files.move(tmp, f, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } finally {
        Files.deleteIfExists(tmp);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write agent state file " + f + ": " + e.getMessage(), e);
    }
  }

  void clear(String instanceId) {
    Path f = file(instanceId);
    try {
      Files.deleteIfExists(f);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete agent state file " + f + ": " + e.getMessage(), e);
    }
  }
}
