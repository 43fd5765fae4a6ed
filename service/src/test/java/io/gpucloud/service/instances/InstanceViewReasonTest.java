package io.gpucloud.service.instances;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpucloud.service.common.HookReasons;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** An instance that a host hook failed shows the hook's path and stderr to an Admin only. */
class InstanceViewReasonTest {
  private static InstanceViewRow failed(String reason) {
    return new InstanceViewRow("id", "vm1", "i-1", "Error", reason, "acc", "acc", "/ROOT/", null, "off", "Small",
        "tpl", 2, 1000, 1024, 1, "Card", "sim-8q", "deploy-id", Instant.EPOCH, "host", "H1");
  }

  @Test
  void theErrorReasonOfAHookFailureIsGenericForTenants() {
    String detail = "state hook failed: hook /etc/gpu-agent/hooks/libvirt-vm-state-change.sh failed with exit code 1;"
        + " stderr: internal detail";
    assertThat(InstanceService.toView(failed(detail), List.of(), true).errorReason()).isEqualTo(detail);
    assertThat(InstanceService.toView(failed(detail), List.of(), false).errorReason()).isEqualTo(HookReasons.GENERIC);
    assertThat(InstanceService.toView(failed("libvirt: no such domain"), List.of(), false).errorReason())
        .isEqualTo("libvirt: no such domain");
  }
}
