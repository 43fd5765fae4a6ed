package io.gpucloud.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
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

  @Test
  void mdevsGoThroughLibvirtUnlessSysfsIsAsked() {
    AgentOptions o = AgentOptions.parse(new String[] {"--host", "gpu-01"});
    assertThat(o.mdevBackend()).isEqualTo(AgentOptions.MdevBackendKind.LIBVIRT);
    assertThat(o.sysfsRoot()).isEqualTo(Path.of("/"));

    AgentOptions s = AgentOptions.parse(new String[] {"--host", "gpu-01", "--mdev-backend", "sysfs"});
    assertThat(s.mdevBackend()).isEqualTo(AgentOptions.MdevBackendKind.SYSFS);
    assertThat(s.sysfsRoot()).isEqualTo(Path.of("/"));

    AgentOptions r = AgentOptions.parse(
        new String[] {"--host", "gpu-01", "--mdev-backend", "sysfs", "--sysfs-root", "/tmp/fake-host"});
    assertThat(r.sysfsRoot()).isEqualTo(Path.of("/tmp/fake-host"));
    assertThat(r.withHost("gpu-02", "test:///x").mdevBackend()).isEqualTo(AgentOptions.MdevBackendKind.SYSFS);
    assertThat(r.withHost("gpu-02", "test:///x").sysfsRoot()).isEqualTo(Path.of("/tmp/fake-host"));
  }

  @Test
  void anUnknownMdevBackendOrAStraySysfsRootIsRefused() {
    assertThatThrownBy(() -> AgentOptions.parse(new String[] {"--host", "gpu-01", "--mdev-backend", "mdevctl"}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("--mdev-backend must be libvirt or sysfs, got 'mdevctl'");
    assertThatThrownBy(() -> AgentOptions.parse(new String[] {"--host", "gpu-01", "--sysfs-root", "/x"}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("--sysfs-root needs --mdev-backend sysfs");
  }

  @Test
  void theHelpDocumentsTheMdevBackend() {
    assertThatThrownBy(() -> AgentOptions.parse(new String[] {"--help"}))
        .hasMessageContaining("--mdev-backend KIND")
        .hasMessageContaining("libvirt (node devices")
        .hasMessageContaining("sysfs (the uuid written to SYSFS_ROOT/sys/class/mdev_bus/")
        .hasMessageContaining("--sysfs-root DIR");
  }

  @Test
  void theStoragePoolIsAnOptionWithTheDefaultPoolOnARealHost() {
    AgentOptions o = AgentOptions.parse(new String[] {"--host", "gpu-01"});
    assertThat(o.storagePool()).isNull();
    assertThat(AgentMain.hostConfig(o).storagePool()).isEqualTo("default");
    assertThat(AgentMain.hostConfig(o).topology()).isNull(); // from libvirt's capabilities
    AgentOptions p = AgentOptions.parse(new String[] {"--host", "gpu-01", "--storage-pool", "nfs-primary"});
    assertThat(AgentMain.hostConfig(p).storagePool()).isEqualTo("nfs-primary");
    assertThat(p.withHost("gpu-02", "test:///x").storagePool()).isEqualTo("nfs-primary");
    assertThatThrownBy(() -> AgentOptions.parse(new String[] {"--host", "gpu-01", "--storage-pool", "/var/lib/x"}))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--storage-pool");
  }
}
