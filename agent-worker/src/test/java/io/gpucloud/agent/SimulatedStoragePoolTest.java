package io.gpucloud.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gpucloud.activities.instance.AssignedDevice;
import io.gpucloud.activities.instance.InstanceSpec;
import io.gpucloud.activities.instance.TemplateImage;
import io.gpucloud.activities.model.DeviceType;
import io.gpucloud.agent.instance.HostInstanceActivitiesImpl;
import io.gpucloud.agent.sim.HostSpec;
import io.gpucloud.agent.sim.HostSpecLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.libvirt.Connect;
import org.libvirt.LibvirtException;

/**
 * The storage pools of simulated hosts, through the agent's own start path: H1 and H2 declare the same shared pool
 * (as NFS primary storage), so a root disk made on one is the disk the other finds, at the same path, and a cold
 * migration copies nothing; hosts with host-local pools do not see each other's disks.
 */
@Timeout(60)
class SimulatedStoragePoolTest {
  static final TemplateImage TEMPLATE = new TemplateImage("ubuntu", "Ubuntu", "/var/lib/images/ubuntu.qcow2", 20);

  @TempDir Path tmp;
  final List<Connect> connections = new ArrayList<>();

  HostInstanceActivitiesImpl start(Path spec, String name) throws Exception {
    AgentOptions opts = AgentMain.prepareSimulatedHost(AgentOptions.parse(new String[] {
        "--simulate", spec.toString(), "--state-dir", tmp.resolve("hosts").resolve(name).toString()}));
    Connect c = new Connect(opts.libvirtUri(), false);
    connections.add(c);
    HostInstanceActivitiesImpl acts = AgentMain.instanceActivities(opts, c);
    acts.checkStoragePool();
    return acts;
  }

  @AfterEach
  void close() throws LibvirtException {
    for (Connect c : connections) {
      c.close();
    }
  }

  static InstanceSpec spec(String vm, String host, AssignedDevice... devices) {
    String id = UUID.nameUUIDFromBytes(vm.getBytes(StandardCharsets.UTF_8)).toString();
    return new InstanceSpec(id, vm, host, 2, 2000, 1024, false, TEMPLATE, List.of(devices));
  }

  static AssignedDevice pci(String address, int node) {
    return new AssignedDevice("d-" + address, address, DeviceType.PCI, "passthrough", null, node);
  }

  @Test
  void h1AndH2ShareTheirPoolSoAColdMigrationFindsTheDisk() throws Exception {
    HostInstanceActivitiesImpl h1 = start(Path.of("..", "hosts", "H1.yml"), "H1");
    HostInstanceActivitiesImpl h2 = start(Path.of("..", "hosts", "H2.yml"), "H2");
    InstanceSpec onH1 = spec("i-9-1-VM", "H1", pci("0000:00:01.0", 0));
    h1.setUpDomain(onH1);
    String disk = h1.rootDiskPath(onH1).orElseThrow();
    assertThat(Path.of(disk)).startsWith(tmp.resolve("hosts/shared-pools/shared-nfs")).exists();
    h1.stopDomain(onH1, false, 5);

    // the migrated instance: same id and disk, the target's devices
    InstanceSpec onH2 = new InstanceSpec(onH1.instanceId(), onH1.vmName(), "H2", 2, 2000, 1024, false, TEMPLATE,
        List.of(pci("0001:81:00.0", 1)));
    assertThat(h2.rootDiskPath(onH2)).contains(disk);
    String before = Files.readString(Path.of(disk));
    h2.setUpDomain(onH2);
    assertThat(h2.domainXml("i-9-1-VM")).contains("<source file='" + disk + "'/>")
        .contains("<vcpu placement='static' cpuset='8-15'>2</vcpu>");
    assertThat(Files.readString(Path.of(disk))).isEqualTo(before); // found, not made again
    assertThat(h1.domainXml("i-9-1-VM")).isNull();

    // destroyed on H2: H1 no longer sees it either
    h2.stopDomain(onH2, true, 0);
    h2.deleteRootDisk(onH2);
    assertThat(Path.of(disk)).doesNotExist();
    assertThat(h1.rootDiskPath(onH1)).isEmpty();
  }

  @Test
  void hostLocalPoolsDoNotShareDisks() throws Exception {
    HostInstanceActivitiesImpl a = start(localCopy("H1", "LA"), "LA");
    HostInstanceActivitiesImpl b = start(localCopy("H1", "LB"), "LB");
    InstanceSpec s = spec("i-9-2-VM", "LA");
    a.setUpDomain(s);
    assertThat(a.rootDiskPath(s).orElseThrow()).startsWith(tmp.resolve("hosts/LA/pool").toString());
    assertThat(b.rootDiskPath(s)).isEmpty(); // a migration to LB would find no disk there
  }

  @Test
  void aStoragePoolOptionOtherThanTheSpecsIsRefused() {
    assertThatThrownBy(() -> AgentMain.prepareSimulatedHost(AgentOptions.parse(new String[] {
        "--simulate", Path.of("..", "hosts", "H1.yml").toString(), "--state-dir", tmp.resolve("x").toString(),
        "--storage-pool", "default"})))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("shared-nfs");
  }

  /** The spec of {@code host} renamed, with the default (host-local) pool. */
  Path localCopy(String host, String name) throws Exception {
    String yaml = Files.readString(Path.of("..", "hosts", host + ".yml"))
        .replace("name: " + host, "name: " + name)
        .replaceAll("(?m)^storagePool:.*$", "");
    HostSpec parsed = HostSpecLoader.parse(yaml, name);
    assertThat(parsed.storagePool()).isEqualTo(HostSpec.StoragePool.DEFAULT);
    Path p = tmp.resolve(name + ".yml");
    Files.writeString(p, yaml);
    return p;
  }
}
