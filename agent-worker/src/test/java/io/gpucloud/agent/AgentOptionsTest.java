package io.gpucloud.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class AgentOptionsTest {
  @Test
  void taskPollersDefaultToEnoughForAFullHostBurst() {
    AgentOptions o = AgentOptions.parse(new String[] {"--host", "gpu-01"});
    assertThat(o.taskPollers()).isEqualTo(AgentOptions.DEFAULT_TASK_POLLERS).isGreaterThanOrEqualTo(8);
    assertThat(o.libvirtUri()).isEqualTo("qemu:///system");
  }

  @Test
  void taskPollersAreSetAndKeptWhenTheHostIsRenamed() {
    AgentOptions o = AgentOptions.parse(new String[] {"--host", "gpu-01", "--task-pollers", "24"});
    assertThat(o.taskPollers()).isEqualTo(24);
    assertThat(o.withHost("gpu-02", "test:///x").taskPollers()).isEqualTo(24);
  }

  @Test
  void aNonPositivePollerCountIsRefusedByName() {
    assertThatThrownBy(() -> AgentOptions.parse(new String[] {"--host", "gpu-01", "--task-pollers", "0"}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("--task-pollers must be a positive integer, got '0'");
  }
}
