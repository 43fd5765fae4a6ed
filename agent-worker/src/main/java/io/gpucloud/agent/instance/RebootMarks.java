package io.gpucloud.agent.instance;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Which reboot already rebooted an instance's guest: {@code <stateDir>/reboot-<instanceId>}, holding the rebooting
 * workflow's id, written right after the reboot and deleted once onStart has run. A retry of that same reboot after
 * a crash between the two finds the mark and only runs onStart, instead of rebooting the guest a second time. A
 * crash between the reboot call and the mark (one file write) still reboots twice; a reboot outside an activity (no
 * workflow id) leaves no mark.
 */
final class RebootMarks {
  private final StateFiles files;

  RebootMarks(Path dir) {
    this.files = new StateFiles(dir, "reboot-", "");
  }

  Path file(String instanceId) {
    return files.file(instanceId);
  }

  /** Whether the reboot {@code operationId} (non-null) has rebooted the instance already. */
  boolean rebooted(String instanceId, String operationId) {
    Path f = file(instanceId);
    if (operationId == null || !Files.exists(f)) {
      return false;
    }
    return Objects.equals(StateFiles.read(f, m -> Files.readString(m, StandardCharsets.UTF_8).strip()), operationId);
  }

  void mark(String instanceId, String operationId) {
    if (operationId == null) {
      return;
    }
    files.write(file(instanceId), tmp -> Files.writeString(tmp, operationId + "\n", StandardCharsets.UTF_8));
  }

  void clear(String instanceId) {
    StateFiles.delete(file(instanceId));
  }
}
