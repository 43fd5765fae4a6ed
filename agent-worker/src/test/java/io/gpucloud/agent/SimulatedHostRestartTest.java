package io.gpucloud.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gpucloud.activities.discovery.DiscoveredGpu;
import io.gpucloud.activities.instance.AssignedDevice;
import io.gpucloud.activities.instance.InstanceSpec;
import io.gpucloud.activities.instance.TemplateImage;
import io.gpucloud.activities.model.DeviceType;
import io.gpucloud.agent.instance.HostInstanceActivitiesImpl;
import io.gpucloud.agent.sim.HostSpecLoader;
import io.gpucloud.agent.sim.SimulatedDiscovery;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.libvirt.Connect;
import org.libvirt.LibvirtException;

/**
 * A simulated host keeps its domains across an agent restart, as a real host's libvirt does: the agent's own start
 * path (prepareSimulatedHost, then the activities AgentMain builds) is run, the domains are changed through the
 * real activities, the connection is closed and the host started again from its spec and state directory.
 */
@Timeout(60)
class SimulatedHostRestartTest {
  static final TemplateImage TEMPLATE = new TemplateImage("ubuntu", "Ubuntu", "/var/lib/images/ubuntu.qcow2", 20);

  @TempDir Path tmp;
  Agent agent;

  /** One run of the simulated agent H1: its connection and its instance activities. */
  record Agent(Connect connect, HostInstanceActivitiesImpl acts) implements AutoCloseable {
    @Override
    public void close() throws LibvirtException {
      connect.close();
    }
  }

  Agent start() throws Exception {
    AgentOptions opts = AgentMain.prepareSimulatedHost(AgentOptions.parse(new String[] {
        "--simulate", Path.of("..", "hosts", "H1.yml").toString(), "--state-dir", tmp.resolve("H1").toString()}));
    Connect c = new Connect(opts.libvirtUri(), false);
    HostInstanceActivitiesImpl acts = AgentMain.instanceActivities(opts, c);
    acts.checkStoragePool(); // as AgentMain does at start: the pool refreshed from its directory
    return new Agent(c, acts);
  }

  List<String> volumes() throws LibvirtException {
    return java.util.Arrays.asList(agent.connect().storagePoolLookupByName("shared-nfs").listVolumes());
  }

  @AfterEach
  void tearDown() throws Exception {
    if (agent != null) {
      agent.close();
    }
  }

  static InstanceSpec spec(String vm, boolean display, AssignedDevice... devices) {
    String id = UUID.nameUUIDFromBytes(vm.getBytes(StandardCharsets.UTF_8)).toString();
    return new InstanceSpec(id, vm, "H1", 2, 2000, 1024, display, TEMPLATE, List.of(devices));
  }

  static AssignedDevice pci(String address) {
    return new AssignedDevice("d-" + address, address, DeviceType.PCI, "passthrough", null, 0);
  }

  static AssignedDevice firstSimulatedMdev() {
    DiscoveredGpu g = SimulatedDiscovery.report(HostSpecLoader.load(Path.of("..", "hosts", "H1.yml"))).gpus().stream()
        .filter(x -> !x.vgpuInstances().isEmpty()).findFirst().orElseThrow();
    return new AssignedDevice("m-1", g.vgpuInstances().get(0).address(), DeviceType.MDEV,
        g.vgpuInstances().get(0).profileName(), g.pciAddress(), g.numaNode());
  }

  boolean running(String vm) throws LibvirtException {
    return agent.connect().domainLookupByName(vm).isActive() == 1;
  }

  String uuidOf(String vm) throws LibvirtException {
    return agent.connect().domainLookupByName(vm).getUUIDString();
  }

  int domainCount() throws LibvirtException {
    return agent.connect().listDomains().length + agent.connect().listDefinedDomains().length;
  }

  /** The live XML without the domain id, which libvirt numbers anew when it starts the domain again. */
  static String withoutId(String xml) {
    return xml.replaceFirst("^<domain type='kvm' id='\\d+'>", "<domain type='kvm'>");
  }

  @Test
  void domainsOutliveARestartRunningOrNotAndUndefinedOnesStayGone() throws Exception {
    InstanceSpec running = spec("i-7-1-VM", false, pci("0000:00:01.0"));
    InstanceSpec shutOff = spec("i-7-2-VM", false, pci("0000:00:02.0"));
    InstanceSpec undone = spec("i-7-3-VM", false, pci("0000:00:03.0"));
    InstanceSpec vgpu = spec("i-7-4-VM", true, firstSimulatedMdev());
    agent = start();
    int before = domainCount();
    agent.acts().setUpDomain(running);
    agent.acts().prepareDevices(shutOff);
    agent.acts().defineDomain(shutOff);
    agent.acts().setUpDomain(undone);
    agent.acts().tearDownDomain(undone);
    agent.acts().setUpDomain(vgpu);
    String runningXml = agent.acts().domainXml("i-7-1-VM");
    String shutOffXml = agent.acts().domainXml("i-7-2-VM");
    String vgpuXml = agent.acts().domainXml("i-7-4-VM");

    agent.close();
    agent = start();

    assertThat(domainCount()).isEqualTo(before + 3);
    assertThat(uuidOf("i-7-1-VM")).isEqualTo(running.instanceId());
    assertThat(running("i-7-1-VM")).isTrue();
    assertThat(withoutId(agent.acts().domainXml("i-7-1-VM"))).isEqualTo(withoutId(runningXml));
    assertThat(uuidOf("i-7-2-VM")).isEqualTo(shutOff.instanceId());
    assertThat(running("i-7-2-VM")).isFalse();
    assertThat(agent.acts().domainXml("i-7-2-VM")).isEqualTo(shutOffXml);
    assertThat(running("i-7-4-VM")).isTrue();
    assertThat(withoutId(agent.acts().domainXml("i-7-4-VM"))).isEqualTo(withoutId(vgpuXml))
        .contains("<address uuid='" + vgpu.devices().get(0).busAddress() + "'/>");
    assertThat(agent.acts().domainXml("i-7-3-VM")).isNull();
    assertThatThrownBy(() -> agent.connect().domainLookupByUUIDString(undone.instanceId()))
        .isInstanceOf(LibvirtException.class);

    // a retried deploy after the restart finds its domain: nothing defined twice
    agent.acts().setUpDomain(running);
    agent.acts().setUpDomain(shutOff);
    assertThat(domainCount()).isEqualTo(before + 3);
    assertThat(running("i-7-2-VM")).isTrue();

    agent.acts().tearDownDomain(running);
    agent.close();
    agent = start();
    assertThat(agent.acts().domainXml("i-7-1-VM")).isNull();
    assertThat(running("i-7-2-VM")).isTrue();
    assertThat(domainCount()).isEqualTo(before + 2);
  }

  @Test
  void rootDisksOutliveARestartAndAStartAfterItCreatesNoNewOne() throws Exception {
    InstanceSpec kept = spec("i-7-10-VM", false, pci("0000:00:01.0"));
    InstanceSpec deleted = spec("i-7-11-VM", false);
    agent = start();
    agent.acts().setUpDomain(kept);
    agent.acts().setUpDomain(deleted);
    String disk = agent.acts().rootDiskPath(kept).orElseThrow();
    agent.acts().stopDomain(kept, false, 5);
    agent.acts().stopDomain(deleted, true, 0);
    agent.acts().deleteRootDisk(deleted);
    String volumeFile = java.nio.file.Files.readString(Path.of(disk));

    agent.close();
    agent = start();

    assertThat(volumes()).containsExactly("root-" + kept.instanceId() + ".qcow2");
    assertThat(agent.acts().rootDiskPath(kept)).contains(disk);
    assertThat(agent.acts().rootDiskPath(deleted)).isEmpty();
    agent.acts().setUpDomain(kept); // the start: the same disk, nothing created
    assertThat(agent.acts().domainXml("i-7-10-VM")).contains("<source file='" + disk + "'/>");
    assertThat(java.nio.file.Files.readString(Path.of(disk))).isEqualTo(volumeFile);
    assertThat(volumes()).hasSize(1);
  }

  @Test
  void aFreshSimulatedHostHasNoDomains() throws Exception {
    agent = start();
    assertThat(domainCount()).isZero();
  }
}
