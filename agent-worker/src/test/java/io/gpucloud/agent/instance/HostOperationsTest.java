package io.gpucloud.agent.instance;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpucloud.activities.instance.AssignedDevice;
import io.gpucloud.activities.instance.HostInstanceActivities;
import io.gpucloud.activities.instance.InstanceSpec;
import io.gpucloud.activities.instance.TemplateImage;
import io.gpucloud.activities.model.DeviceType;
import io.gpucloud.agent.domain.HostTopology;
import io.gpucloud.agent.hooks.HookRunner;
import io.temporal.failure.ApplicationFailure;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.libvirt.StoragePool;
import org.libvirt.StorageVol;

/**
 * The lifecycle operations on a host (stop, reboot, remove mdevs, delete the root disk) and the root disk of each
 * instance, against libvirt's test driver on the simulated host H1 (its pool {@code shared-nfs}).
 *
 * <p>What the test driver does, checked with libvirt 9.0: {@code virDomainShutdown} shuts a running domain off at
 * once (a real guest takes its time, or ignores the ACPI event: then the stop destroys it after the grace period),
 * {@code virDomainReboot} is supported and leaves the domain running, and {@code virStorageVolCreateXML} takes a
 * qcow2 volume with a backing store, keeping it in memory.
 */
@Timeout(60)
class HostOperationsTest extends SimulatedH1Base {
  static final String POOL = "shared-nfs";

  HostInstanceActivitiesImpl acts;

  @BeforeEach
  void setUp() throws Exception {
    acts = activities(new LibvirtMdevBackend(h1), POOL);
  }

  HostInstanceActivitiesImpl activities(MdevBackend backend, String pool) {
    return new HostInstanceActivitiesImpl(h1, hooks, new HookRunner(Duration.ofSeconds(10), 1 << 20), state,
        backend, DomainJournal.NONE, new HostConfig(pool, VolumeJournal.NONE, HostTopology.contiguous(1, 4)));
  }

  static InstanceSpec spec(String vm, AssignedDevice... devices) {
    String id = UUID.nameUUIDFromBytes(vm.getBytes(StandardCharsets.UTF_8)).toString();
    return new InstanceSpec(id, vm, "H1", 2, 2000, 1024, false, TEMPLATE, List.of(devices));
  }

  static AssignedDevice pci(String address) {
    return new AssignedDevice("d-" + address, address, DeviceType.PCI, "passthrough", null, 0);
  }

  void stateHook(String body) throws IOException {
    hook(HostInstanceActivitiesImpl.STATE_HOOK, body);
  }

  static List<String> lines(Path log) throws IOException {
    return Files.exists(log) ? Files.readAllLines(log) : List.of();
  }

  boolean defined(String vm) throws Exception {
    return Arrays.asList(h1.listDefinedDomains()).contains(vm) || acts.domainXml(vm) != null;
  }

  boolean running(String vm) throws Exception {
    return h1.domainLookupByName(vm).isActive() == 1;
  }

  StoragePool pool() throws Exception {
    return h1.storagePoolLookupByName(POOL);
  }

  List<String> volumes() throws Exception {
    return Arrays.asList(pool().listVolumes());
  }

  static String volume(InstanceSpec s) {
    return "root-" + s.instanceId() + ".qcow2";
  }

  // ------------------------------------------------------------ stop

  @Test
  void stopShutsDownRunsOnStopUndefinesAndKeepsTheRootDisk() throws Exception {
    Path log = stateHookLog();
    InstanceSpec s = spec("i-8-1-VM", pci("0000:00:01.0"));
    acts.setUpDomain(s);
    assertThat(running("i-8-1-VM")).isTrue();

    long t0 = System.nanoTime();
    acts.stopDomain(s, false, 30);
    // the test driver shuts off at once: no waiting for the grace period
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(10));
    assertThat(acts.domainXml("i-8-1-VM")).isNull();
    assertThat(lines(log)).containsExactly("onStart i-8-1-VM", "onStop i-8-1-VM");
    assertThat(volumes()).contains(volume(s));

    acts.stopDomain(s, false, 30); // a repeat after the stop finished: nothing runs, the hook neither
    assertThat(lines(log)).containsExactly("onStart i-8-1-VM", "onStop i-8-1-VM");
  }

  @Test
  void forcedStopDestroysAtOnceWhateverTheGracePeriod() throws Exception {
    Path log = stateHookLog();
    InstanceSpec s = spec("i-8-2-VM", pci("0000:00:02.0"));
    acts.setUpDomain(s);
    long t0 = System.nanoTime();
    acts.stopDomain(s, true, 3600);
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(10));
    assertThat(acts.domainXml("i-8-2-VM")).isNull();
    assertThat(lines(log)).containsExactly("onStart i-8-2-VM", "onStop i-8-2-VM");
    assertThat(volumes()).contains(volume(s));
  }

  @Test
  void stopOfADomainThatIsNotDefinedIsARepeat() throws Exception {
    Path log = stateHookLog();
    acts.stopDomain(spec("i-8-3-VM"), false, 5);
    acts.stopDomain(spec("i-8-3-VM"), true, 0);
    assertThat(lines(log)).isEmpty();
  }

  @Test
  void stopOfAShutOffDomainRunsOnStopAndUndefinesIt() throws Exception {
    Path log = stateHookLog();
    InstanceSpec s = spec("i-8-4-VM");
    acts.prepareDevices(s);
    acts.defineDomain(s); // defined, never started (or crashed meanwhile)
    acts.stopDomain(s, false, 5);
    assertThat(acts.domainXml("i-8-4-VM")).isNull();
    assertThat(lines(log)).containsExactly("onStop i-8-4-VM");
  }

  @Test
  void aFailingOnStopHookIsReportedAfterTheDomainIsUndefined() throws Exception {
    InstanceSpec s = spec("i-8-5-VM", pci("0000:00:03.0"));
    acts.setUpDomain(s);
    stateHook("[ \"$1\" = onStop ] && { echo stop-hook-broke >&2; exit 3; }; exit 0");
    ApplicationFailure f = failure(() -> acts.stopDomain(s, false, 5));
    assertThat(f.getType()).isEqualTo(HostInstanceActivities.HOOK_FAILED);
    assertThat(f.isNonRetryable()).isTrue();
    assertThat(f.getOriginalMessage()).contains("stop-hook-broke");
    assertThat(acts.domainXml("i-8-5-VM")).isNull();
    acts.stopDomain(s, false, 5); // the destroy of the instance in Error: nothing left to stop
  }

  @Test
  void stopRefusesADomainOfTheSameNameWithAnotherUuid() throws Exception {
    InstanceSpec s = spec("i-8-6-VM");
    acts.setUpDomain(s);
    InstanceSpec other = new InstanceSpec(UUID.randomUUID().toString(), "i-8-6-VM", "H1", 2, 2000, 1024, false,
        TEMPLATE, List.of());
    ApplicationFailure f = failure(() -> acts.stopDomain(other, true, 0));
    assertThat(f.getType()).isEqualTo(HostInstanceActivities.LIBVIRT_FAILED);
    assertThat(f.isNonRetryable()).isTrue();
    assertThat(running("i-8-6-VM")).isTrue();
  }

  // ------------------------------------------------------------ reboot

  @Test
  void rebootRunsOnStopThenOnStartAndTheDomainRunsOn() throws Exception {
    Path log = stateHookLog();
    InstanceSpec s = spec("i-8-10-VM", pci("0000:00:04.0"));
    acts.setUpDomain(s);
    String xml = acts.domainXml("i-8-10-VM");
    acts.rebootDomain(s);
    assertThat(running("i-8-10-VM")).isTrue();
    assertThat(acts.domainXml("i-8-10-VM")).isEqualTo(xml);
    assertThat(lines(log)).containsExactly("onStart i-8-10-VM", "onStop i-8-10-VM", "onStart i-8-10-VM");
  }

  @Test
  void aRetriedRebootAfterACrashBeforeOnStartDoesNotRebootAgain() throws Exception {
    Path log = stateHookLog();
    InstanceSpec s = spec("i-8-14-VM");
    acts.setUpDomain(s);
    acts.setUpIds(() -> "reboot-i-8-14-1");
    // the first attempt rebooted the guest, then the agent died before onStart
    new RebootMarks(state).mark(s.instanceId(), "reboot-i-8-14-1");
    acts.rebootDomain(s);
    assertThat(lines(log)).containsExactly("onStart i-8-14-VM", "onStart i-8-14-VM"); // no onStop: no reboot
    assertThat(new RebootMarks(state).file(s.instanceId())).doesNotExist();
    // the next reboot (another workflow) reboots
    acts.setUpIds(() -> "reboot-i-8-14-2");
    acts.rebootDomain(s);
    assertThat(lines(log)).endsWith("onStop i-8-14-VM", "onStart i-8-14-VM");
    assertThat(new RebootMarks(state).file(s.instanceId())).doesNotExist();
  }

  @Test
  void aRebootWhoseOnStartFailsIsNotRepeatedByItsRetry() throws Exception {
    InstanceSpec s = spec("i-8-15-VM");
    acts.setUpDomain(s);
    Path log = tmp.resolve("hook.log");
    Path broken = tmp.resolve("broken");
    Files.writeString(broken, "");
    stateHook("echo \"$@\" >> '" + log + "'; [ \"$1\" = onStart ] && [ -e '" + broken + "' ] && exit 5; exit 0");
    acts.setUpIds(() -> "reboot-i-8-15-1");
    assertThat(failure(() -> acts.rebootDomain(s)).getType()).isEqualTo(HostInstanceActivities.HOOK_FAILED);
    Files.delete(broken);
    acts.rebootDomain(s); // the retry: onStart only
    assertThat(lines(log)).containsExactly("onStop i-8-15-VM", "onStart i-8-15-VM", "onStart i-8-15-VM");
    assertThat(running("i-8-15-VM")).isTrue();
  }

  @Test
  void rebootOfAShutOffDomainStartsIt() throws Exception {
    InstanceSpec s = spec("i-8-11-VM");
    acts.prepareDevices(s);
    acts.defineDomain(s);
    acts.rebootDomain(s);
    assertThat(running("i-8-11-VM")).isTrue();
  }

  @Test
  void rebootOfADomainThatIsNotDefinedFailsWithoutHooks() throws Exception {
    Path log = stateHookLog();
    ApplicationFailure f = failure(() -> acts.rebootDomain(spec("i-8-12-VM")));
    assertThat(f.getType()).isEqualTo(HostInstanceActivities.LIBVIRT_FAILED);
    assertThat(f.isNonRetryable()).isTrue();
    assertThat(f.getOriginalMessage()).contains("not defined");
    assertThat(lines(log)).isEmpty();
  }

  @Test
  void aFailingOnStopHookKeepsTheGuestFromRebooting() throws Exception {
    InstanceSpec s = spec("i-8-13-VM");
    acts.setUpDomain(s);
    Path log = tmp.resolve("hook.log");
    stateHook("echo \"$@\" >> '" + log + "'; [ \"$1\" = onStop ] && { echo no-reboot >&2; exit 4; }; exit 0");
    ApplicationFailure f = failure(() -> acts.rebootDomain(s));
    assertThat(f.getType()).isEqualTo(HostInstanceActivities.HOOK_FAILED);
    assertThat(f.getOriginalMessage()).contains("no-reboot");
    assertThat(lines(log)).containsExactly("onStop i-8-13-VM"); // onStart never ran
    assertThat(running("i-8-13-VM")).isTrue();
  }

  // ------------------------------------------------------------ mdevs

  @Test
  void removeMdevsThroughSysfsRemovesWhatTheSetUpCreatedAndStopKeepsThem() throws Exception {
    String gpu = "0000:00:05.0";
    String uuid = "0b9a7c8e-1111-4222-8333-4444555566aa";
    FakeSysfs sysfs = new FakeSysfs(tmp.resolve("root")).gpu(gpu, Map.of("sim-8q", "sim-8q"));
    HostInstanceActivitiesImpl onSysfs = activities(new SysfsMdevBackend(sysfs.root), POOL);
    InstanceSpec s = spec("i-8-20-VM", new AssignedDevice("m-1", uuid, DeviceType.MDEV, "sim-8q", gpu, 0));

    onSysfs.setUpDomain(s);
    assertThat(sysfs.kernel()).containsExactly(
        "sys/class/mdev_bus/" + gpu + "/mdev_supported_types/sim-8q/create <- " + uuid + "\n");
    onSysfs.stopDomain(s, false, 5);
    assertThat(sysfs.kernel()).isEmpty(); // stop keeps the mdevs (gpu.detach.on.stop decides on the control plane)
    assertThat(sysfs.exists(uuid)).isTrue();

    onSysfs.removeMdevs(s);
    assertThat(sysfs.kernel()).containsExactly("sys/bus/mdev/devices/" + uuid + "/remove <- 1\n");
    assertThat(sysfs.exists(uuid)).isFalse();
    onSysfs.removeMdevs(s); // a repeat: nothing recorded any more, nothing written
    assertThat(sysfs.kernel()).isEmpty();
  }

  // ------------------------------------------------------------ the root disk

  @Test
  void theRootDiskIsAQcow2OverlayOfTheTemplateCreatedOnce() throws Exception {
    InstanceSpec s = spec("i-8-30-VM", pci("0000:00:01.0"));
    int before = volumes().size();
    acts.setUpDomain(s);
    acts.setUpDomain(s); // a retry after a crash: the same disk
    assertThat(volumes()).hasSize(before + 1).contains(volume(s));
    StorageVol vol = pool().storageVolLookupByName(volume(s));
    String volXml = vol.getXMLDesc(0);
    assertThat(volXml).contains("<capacity unit='bytes'>" + (20L << 30) + "</capacity>")
        .contains("<format type='qcow2'/>")
        .contains("<backingStore>\n    <path>/var/lib/images/ubuntu.qcow2</path>");
    assertThat(vol.getInfo().allocation).isZero(); // thin: the overlay grows as the guest writes
    String xml = acts.domainXml("i-8-30-VM");
    assertThat(xml).contains("<source file='" + vol.getPath() + "'/>").doesNotContain(TEMPLATE.imagePath());
    assertThat(acts.rootDiskPath(s)).contains(vol.getPath());
  }

  @Test
  void twoInstancesOfOneTemplateGetTwoDisks() throws Exception {
    InstanceSpec a = spec("i-8-31-VM");
    InstanceSpec b = spec("i-8-32-VM");
    acts.setUpDomain(a);
    acts.setUpDomain(b);
    assertThat(volumes()).contains(volume(a), volume(b));
    assertThat(acts.rootDiskPath(a)).isNotEqualTo(acts.rootDiskPath(b));
  }

  @Test
  void theRootDiskIsKeptAcrossStopAndStartAndTheUndoOfAStartKeepsIt() throws Exception {
    InstanceSpec s = spec("i-8-33-VM", pci("0000:00:02.0"));
    acts.setUpIds(() -> "deploy-i-8-33");
    acts.setUpDomain(s);
    String disk = acts.rootDiskPath(s).orElseThrow();
    acts.stopDomain(s, false, 5);
    assertThat(acts.rootDiskPath(s)).contains(disk);

    // a start whose set-up never ran (its host did not pick it up), then undone: the disk stays
    acts.setUpIds(() -> "start-i-8-33-1");
    acts.tearDownDomain(s);
    assertThat(acts.rootDiskPath(s)).contains(disk);

    // a start that set the domain up again on the same disk, then failed and was undone: the disk stays
    acts.setUpIds(() -> "start-i-8-33-2");
    acts.setUpDomain(s);
    assertThat(acts.domainXml("i-8-33-VM")).contains("<source file='" + disk + "'/>");
    acts.tearDownDomain(s);
    assertThat(acts.domainXml("i-8-33-VM")).isNull();
    assertThat(acts.rootDiskPath(s)).contains(disk);

    // even a late repeat of the deploy's undo no longer owns it: the start found it existing
    acts.setUpIds(() -> "deploy-i-8-33");
    acts.tearDownDomain(s);
    assertThat(acts.rootDiskPath(s)).contains(disk);
  }

  @Test
  void theUndoOfTheDeployThatCreatedTheDiskDeletesIt() throws Exception {
    InstanceSpec s = spec("i-8-34-VM");
    acts.setUpIds(() -> "deploy-i-8-34");
    acts.setUpDomain(s);
    assertThat(volumes()).contains(volume(s));
    acts.tearDownDomain(s);
    assertThat(volumes()).doesNotContain(volume(s));
    assertThat(new CreatedDisks(state).file(s.instanceId())).doesNotExist();
    acts.tearDownDomain(s); // repeated undo: fine
  }

  @Test
  void theUndoOfADeployThatCrashedBeforeCreatingTheDiskIsFine() throws Exception {
    InstanceSpec s = spec("i-8-35-VM");
    new CreatedDisks(state).write(new CreatedDisks.Record(s.instanceId(), s.vmName(), POOL, volume(s), null));
    acts.tearDownDomain(s);
    assertThat(new CreatedDisks(state).file(s.instanceId())).doesNotExist();
  }

  @Test
  void deleteRootDiskDeletesItWhoeverCreatedItAndARepeatIsFine() throws Exception {
    InstanceSpec s = spec("i-8-36-VM", pci("0000:00:03.0"));
    acts.setUpIds(() -> "deploy-i-8-36");
    acts.setUpDomain(s);
    acts.stopDomain(s, true, 0);
    acts.setUpIds(() -> "destroy-i-8-36");
    acts.deleteRootDisk(s);
    assertThat(volumes()).doesNotContain(volume(s));
    assertThat(acts.rootDiskPath(s)).isEmpty();
    assertThat(new CreatedDisks(state).file(s.instanceId())).doesNotExist();
    acts.deleteRootDisk(s);
  }

  @Test
  void aMissingPoolFailsTheSetUpWithItsNameAndDeleteIsFine() throws Exception {
    HostInstanceActivitiesImpl noPool = activities(new LibvirtMdevBackend(h1), "no-such-pool");
    InstanceSpec s = spec("i-8-37-VM");
    ApplicationFailure f = failure(() -> noPool.setUpDomain(s));
    assertThat(f.getType()).isEqualTo(HostInstanceActivities.LIBVIRT_FAILED);
    assertThat(f.isNonRetryable()).isTrue();
    assertThat(f.getOriginalMessage()).contains("storage pool no-such-pool").contains("--storage-pool");
    assertThat(noPool.domainXml("i-8-37-VM")).isNull();
    noPool.deleteRootDisk(s);
    noPool.tearDownDomain(s);
  }

  @Test
  void aTemplateWithoutASizeCannotMakeARootDisk() {
    InstanceSpec s = new InstanceSpec(UUID.randomUUID().toString(), "i-8-38-VM", "H1", 1, 2000, 512, false,
        new TemplateImage("t", "o", "/img/t.qcow2", 0), List.of());
    ApplicationFailure f = failure(() -> acts.setUpDomain(s));
    assertThat(f.getOriginalMessage()).contains("rootDiskGb");
    assertThat(f.isNonRetryable()).isTrue();
  }

  @Test
  void theVolumeXmlEscapesTheTemplatePath() {
    String xml = RootDisks.volumeXml("root-x.qcow2", new TemplateImage("t", "o", "/img/a'b\"<c>&.qcow2", 8));
    assertThat(xml).contains("<path>/img/a'b\"&lt;c&gt;&amp;.qcow2</path>").contains("<capacity unit=\"GiB\">8<");
  }

  // ------------------------------------------------------------ NUMA

  @Test
  void vcpusArePinnedToTheNodeOfTheGpusNeverPlacedByNumad() throws Exception {
    InstanceSpec s = spec("i-8-40-VM", pci("0000:00:04.0"));
    acts.setUpDomain(s);
    assertThat(acts.domainXml("i-8-40-VM")).contains("<vcpu placement='static' cpuset='0-3'>2</vcpu>")
        .contains("<memory mode='strict' nodeset='0'/>").doesNotContain("placement='auto'");
  }
}
