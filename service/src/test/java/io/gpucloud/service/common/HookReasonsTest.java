package io.gpucloud.service.common;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class HookReasonsTest {
  /** As the agent words it (InstanceHooks over HookRunner). */
  static final String HOOK_FAILURE = "transformer hook failed: hook /etc/gpu-agent/hooks/libvirt-vm-xml-transformer.sh"
      + " failed with exit code 3; stderr: cannot reach 10.0.0.5:8443 with token=abc";

  @Test
  void aTenantReadsAGenericReasonAnAdminTheDetail() {
    assertThat(HookReasons.forCaller(HOOK_FAILURE, true)).isEqualTo(HOOK_FAILURE);
    assertThat(HookReasons.forCaller(HOOK_FAILURE, false))
        .isEqualTo("a host hook failed; an administrator can see the details in the events");
  }

  @Test
  void whatComesBeforeTheHookFailureStays() {
    String event = "VM i-2-3-VM is Error: state hook failed: hook /etc/gpu-agent/hooks/libvirt-vm-state-change.sh"
        + " timed out after 30 s; it was killed; stderr: /srv/secret";
    assertThat(HookReasons.forCaller(event, false))
        .isEqualTo("VM i-2-3-VM is Error: a host hook failed; an administrator can see the details in the events");
  }

  @Test
  void otherReasonsAreUnchanged() {
    String capacity = "insufficient capacity: no host can take the instance now";
    assertThat(HookReasons.forCaller(capacity, false)).isEqualTo(capacity);
    assertThat(HookReasons.forCaller(null, false)).isNull();
  }
}
