package io.gpucloud.agent.instance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gpucloud.activities.discovery.DiscoveredGpu;
import io.gpucloud.activities.discovery.VirtualGpu;
import io.gpucloud.activities.instance.AssignedDevice;
import io.gpucloud.activities.instance.HostInstanceActivities;
import io.gpucloud.activities.instance.InstanceSpec;
import io.gpucloud.activities.model.DeviceType;
import io.gpucloud.agent.hooks.HookRunner;
import io.gpucloud.agent.sim.HostSpecLoader;
import io.gpucloud.agent.sim.SimulatedDiscovery;
import io.gpucloud.agent.sim.TestDriverXml;
import io.temporal.failure.ApplicationFailure;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.libvirt.Connect;
import org.libvirt.Domain;

/** Against libvirt's own test driver, on documents generated from the simulated hosts H1 and H2. */
@Timeout(60)
class HostInstanceActivitiesImplTest extends SimulatedH1Base {
  Connect h2;
  HostInstanceActivitiesImpl acts;

  @BeforeEach
  void setUp() throws Exception {
    h2 = new Connect(TestDriverXml.write(HostSpecLoader.load(Path.of("..", "hosts", "H2.yml")),
        tmp.resolve("H2.xml")), false);
    acts = onSimulated(h1, hooks, new HookRunner(Duration.ofSeconds(10), 1 << 20), state);
  }

  @AfterEach
  void tearDown() throws Exception {
    h2.close();
  }

  // ------------------------------------------------------------ helpers

  /** The storage pool H1 and H2 declare (hosts/H1.yml, hosts/H2.yml). */
  static final String SIM_POOL = "shared-nfs";

  /** The activities of a host on a simulated host's document: its spec's pool, mdevs through libvirt. */
  static HostInstanceActivitiesImpl onSimulated(Connect c, Path hooks, HookRunner runner, Path state) {
    return onSimulated(c, hooks, runner, state, new LibvirtMdevBackend(c));
  }

  static HostInstanceActivitiesImpl onSimulated(Connect c, Path hooks, HookRunner runner, Path state,
      MdevBackend backend) {
    return new HostInstanceActivitiesImpl(c, hooks, runner, state, backend, DomainJournal.NONE,
        new HostConfig(SIM_POOL, VolumeJournal.NONE, null));
  }

  static InstanceSpec spec(String vm, boolean display, AssignedDevice... devices) {
    String id = UUID.nameUUIDFromBytes(vm.getBytes(StandardCharsets.UTF_8)).toString();
    return new InstanceSpec(id, vm, "H1", 2, 2000, 1024, display, TEMPLATE, List.of(devices));
  }

  static AssignedDevice pci(String address, int node) {
    return new AssignedDevice("d-" + address, address, DeviceType.PCI, "passthrough", null, node);
  }

  /** The first {@code n} mdevs that the simulated host lists (uuid, parent, profile). */
  List<AssignedDevice> simMdevs(int n) {
    return SimulatedDiscovery.report(h1Spec).gpus().stream()
        .flatMap((DiscoveredGpu g) -> g.vgpuInstances().stream()
            .map((VirtualGpu m) -> new AssignedDevice("m-" + m.address(), m.address(), DeviceType.MDEV,
                m.profileName(), g.pciAddress(), g.numaNode())))
        .limit(n).toList();
  }

  Path transformer(String body) throws IOException {
    return hook(HostInstanceActivitiesImpl.TRANSFORMER_HOOK, body);
  }

  /** The directory of H1's storage pool in its test-driver document (the spec's default pool, host-local). */
  Path poolDir() {
    return TestDriverXml.poolDirectory(h1Spec, tmp.resolve("H1.xml"));
  }

  static boolean active(Connect c, String vm) throws Exception {
    return c.domainLookupByName(vm).isActive() == 1;
  }

  int domainCount(Connect c) throws Exception {
    return c.listDefinedDomains().length + c.listDomains().length;
  }

  // ------------------------------------------------------------ the activities: set up, tear down

  @Test
  void setUpDefinesAndStartsOnceAndTearDownRemovesIt() throws Exception {
    Path log = stateHookLog();
    InstanceSpec s = spec("i-2-30-VM", false, pci("0000:00:01.0", 0));
    int before = domainCount(h1);
    assertThat(acts.setUpDomain(s)).containsExactly("prepared 1 device(s)",
        "root disk " + poolDir().resolve("root-" + s.instanceId() + ".qcow2"), "defined domain i-2-30-VM",
        "started domain i-2-30-VM");
    assertThat(acts.domainXml("i-2-30-VM")).contains("<address domain='0x0000' bus='0x00' slot='0x01' function='0x0'/>");
    assertThat(active(h1, "i-2-30-VM")).isTrue();
    acts.setUpDomain(s); // a retry after a crash: nothing new
    assertThat(domainCount(h1)).isEqualTo(before + 1);

    acts.tearDownDomain(s);
    assertThat(acts.domainXml("i-2-30-VM")).isNull();
    assertThat(domainCount(h1)).isEqualTo(before);
    acts.tearDownDomain(s); // repeated undo: fine
    assertThat(Files.readAllLines(log)).containsExactly("onStart i-2-30-VM", "onStart i-2-30-VM", "onStop i-2-30-VM");
  }

  @Test
  void tearDownUndoesASetUpThatFailedAfterStarting() throws Exception {
    InstanceSpec s = spec("i-2-31-VM", false, pci("0000:00:02.0", 0));
    int before = domainCount(h1);
    hook(HostInstanceActivitiesImpl.STATE_HOOK, "[ \"$1\" = onStart ] && { echo start-hook-broke >&2; exit 2; }; exit 0");
    ApplicationFailure f = failure(() -> acts.setUpDomain(s));
    assertThat(f.getType()).isEqualTo(HostInstanceActivities.HOOK_FAILED);
    assertThat(f.getOriginalMessage()).contains("start-hook-broke");
    assertThat(active(h1, "i-2-31-VM")).isTrue(); // started before the hook failed: the undo must stop it

    acts.tearDownDomain(s);
    assertThat(acts.domainXml("i-2-31-VM")).isNull();
    assertThat(domainCount(h1)).isEqualTo(before);
  }

  @Test
  void tearDownAfterAFailedTransformerLeavesNothing() throws Exception {
    transformer("echo boom >&2; exit 1");
    InstanceSpec s = spec("i-2-32-VM", false, simMdevs(1).get(0));
    List<String> mdevs = Arrays.asList(h1.listDevices("mdev"));
    int before = domainCount(h1);
    assertThat(failure(() -> acts.setUpDomain(s)).getOriginalMessage()).contains("boom");
    acts.tearDownDomain(s);
    assertThat(domainCount(h1)).isEqualTo(before);
    assertThat(Arrays.asList(h1.listDevices("mdev"))).containsExactlyInAnyOrderElementsOf(mdevs);
  }

  // ------------------------------------------------------------ define + start

  @Test
  void passthroughGpuIsDefinedAndStarted() throws Exception {
    InstanceSpec s = spec("i-2-10-VM", false, pci("0000:00:01.0", 0));
    acts.prepareDevices(s);
    acts.defineDomain(s);
    String defined = acts.domainXml("i-2-10-VM");
    acts.startDomain(s);

    assertThat(defined).contains("<name>i-2-10-VM</name>").contains("<uuid>" + s.instanceId() + "</uuid>");
    String xml = acts.domainXml("i-2-10-VM");
    assertThat(xml).contains("<hostdev mode='subsystem' type='pci' managed='yes'>")
        .contains("<driver name='vfio'/>")
        .contains("<address domain='0x0000' bus='0x00' slot='0x01' function='0x0'/>")
        // the test driver reports no NUMA cells (and this host config gives none): vCPUs unpinned, memory strict
        .contains("<vcpu placement='static'>2</vcpu>").contains("<memory mode='strict' nodeset='0'/>");
    assertThat(active(h1, "i-2-10-VM")).isTrue();
  }

  @Test
  void twoMdevsAreDefinedAndStartedWithDisplay() throws Exception {
    List<AssignedDevice> mdevs = simMdevs(2);
    InstanceSpec s = spec("i-2-11-VM", true, mdevs.toArray(AssignedDevice[]::new));
    List<String> before = Arrays.asList(h1.listDevices("mdev"));
    acts.prepareDevices(s);
    acts.defineDomain(s);
    acts.startDomain(s);

    String xml = acts.domainXml("i-2-11-VM");
    for (AssignedDevice m : mdevs) {
      assertThat(xml).contains("<address uuid='" + m.busAddress() + "'/>");
    }
    assertThat(xml).contains("type='mdev'").contains("model='vfio-pci'").contains("display='on'")
        .contains("ramfb='on'").contains("<model type='none'/>");
    assertThat(active(h1, "i-2-11-VM")).isTrue();
    // the simulated host already lists these mdevs: nothing was created, so nothing is recorded or destroyed
    assertThat(Files.exists(new CreatedMdevs(state).file(s.instanceId()))).isFalse();
    acts.undefineDomain("i-2-11-VM");
    acts.releaseDevices(s);
    assertThat(Arrays.asList(h1.listDevices("mdev"))).containsExactlyInAnyOrderElementsOf(before);
  }

  @Test
  void nonZeroPciDomainOnH2WithNumaBinding() throws Exception {
    HostInstanceActivitiesImpl onH2 =
        onSimulated(h2, hooks, new HookRunner(Duration.ofSeconds(10), 1 << 20), state);
    InstanceSpec s = spec("i-3-1-VM", false, pci("0001:81:00.0", 1), pci("0001:82:00.0", 1));
    onH2.prepareDevices(s);
    onH2.defineDomain(s);
    onH2.startDomain(s);
    assertThat(onH2.domainXml("i-3-1-VM"))
        .contains("<address domain='0x0001' bus='0x81' slot='0x00' function='0x0'/>")
        .contains("<address domain='0x0001' bus='0x82' slot='0x00' function='0x0'/>")
        .contains("<memory mode='strict' nodeset='1'/>");
    assertThat(active(h2, "i-3-1-VM")).isTrue();
  }

  @Test
  void defineAndStartTwiceChangeNothing() throws Exception {
    Path log = stateHookLog();
    InstanceSpec s = spec("i-2-12-VM", false, pci("0000:00:02.0", 0));
    acts.prepareDevices(s);
    acts.defineDomain(s);
    String defined = acts.domainXml("i-2-12-VM");
    acts.defineDomain(s);
    assertThat(acts.domainXml("i-2-12-VM")).isEqualTo(defined);
    acts.startDomain(s);
    int domains = domainCount(h1);
    String running = acts.domainXml("i-2-12-VM");
    acts.prepareDevices(s);
    acts.defineDomain(s);
    acts.startDomain(s);

    assertThat(acts.domainXml("i-2-12-VM")).isEqualTo(running);
    assertThat(domainCount(h1)).isEqualTo(domains);
    assertThat(active(h1, "i-2-12-VM")).isTrue();
    assertThat(h1.domainLookupByName("i-2-12-VM").getUUIDString()).isEqualTo(s.instanceId());
    // the state hook runs after every successful start (at least once), the domain starts once
    assertThat(Files.readAllLines(log)).containsExactly("onStart i-2-12-VM", "onStart i-2-12-VM");
  }

  @Test
  void sameNameWithAnotherUuidIsRefused() throws Exception {
    InstanceSpec s = spec("i-2-13-VM", false);
    acts.defineDomain(s);
    InstanceSpec other = new InstanceSpec(UUID.randomUUID().toString(), "i-2-13-VM", "H1", 1, 1, 512, false,
        TEMPLATE, List.of());
    ApplicationFailure f = failure(() -> acts.defineDomain(other));
    assertThat(f.getType()).isEqualTo(HostInstanceActivities.LIBVIRT_FAILED);
    assertThat(f.isNonRetryable()).isTrue();
    assertThat(f.getOriginalMessage()).contains("already exists").contains(s.instanceId());
    ApplicationFailure g = failure(() -> acts.startDomain(other));
    assertThat(g.isNonRetryable()).isTrue();
    assertThat(h1.domainLookupByName("i-2-13-VM").getUUIDString()).isEqualTo(s.instanceId());
  }

  @Test
  void startOfAnUndefinedDomainFails() {
    ApplicationFailure f = failure(() -> acts.startDomain(spec("i-9-9-VM", false)));
    assertThat(f.getType()).isEqualTo(HostInstanceActivities.LIBVIRT_FAILED);
    assertThat(f.isNonRetryable()).isTrue();
    assertThat(f.getOriginalMessage()).contains("i-9-9-VM").contains("not defined");
  }

  // ------------------------------------------------------------ undefine

  @Test
  void undefineRemovesTheDomainAndRepeatsFine() throws Exception {
    Path log = stateHookLog();
    InstanceSpec s = spec("i-2-14-VM", false, pci("0000:00:03.0", 0));
    acts.defineDomain(s);
    acts.startDomain(s);
    acts.undefineDomain("i-2-14-VM");
    assertThat(acts.domainXml("i-2-14-VM")).isNull();
    assertThat(Arrays.asList(h1.listDefinedDomains())).doesNotContain("i-2-14-VM");
    acts.undefineDomain("i-2-14-VM");
    acts.undefineDomain("never-defined");
    assertThat(Files.readAllLines(log)).containsExactly("onStart i-2-14-VM", "onStop i-2-14-VM");
  }

  @Test
  void undefineOfAStoppedDomainRunsNoStopHook() throws Exception {
    Path log = stateHookLog();
    InstanceSpec s = spec("i-2-15-VM", false);
    acts.defineDomain(s);
    acts.undefineDomain("i-2-15-VM");
    assertThat(acts.domainXml("i-2-15-VM")).isNull();
    assertThat(Files.exists(log)).isFalse();
  }

  @Test
  void failingStopHookDoesNotStopTheUndo() throws Exception {
    InstanceSpec s = spec("i-2-16-VM", false);
    acts.defineDomain(s);
    acts.startDomain(s);
    hook(HostInstanceActivitiesImpl.STATE_HOOK, "echo nope >&2; exit 3");
    acts.undefineDomain("i-2-16-VM");
    assertThat(acts.domainXml("i-2-16-VM")).isNull();
  }

  @Test
  void failingStartHookFailsTheStep() throws Exception {
    InstanceSpec s = spec("i-2-17-VM", false);
    acts.defineDomain(s);
    hook(HostInstanceActivitiesImpl.STATE_HOOK, "echo start-hook-broke >&2; exit 2");
    ApplicationFailure f = failure(() -> acts.startDomain(s));
    assertThat(f.getType()).isEqualTo(HostInstanceActivities.HOOK_FAILED);
    assertThat(f.isNonRetryable()).isTrue();
    assertThat(f.getOriginalMessage()).contains("start-hook-broke");
  }

  // ------------------------------------------------------------ transformer hook

  @Test
  void transformerHookOutputIsDefined() throws Exception {
    Path args = tmp.resolve("transformer-args");
    transformer("printf '%s\\n' \"$1\" \"$#\" > '" + args + "'\n"
        + "case \"$2\" in '<domain'*) ;; *) echo 'no xml argument' >&2; exit 9;; esac\n"
        + "sed 's#</domain>#<description>added by hook</description></domain>#'");
    InstanceSpec s = spec("i-2-18-VM", false, pci("0000:00:04.0", 0));
    acts.defineDomain(s);
    assertThat(acts.domainXml("i-2-18-VM")).contains("<description>added by hook</description>");
    assertThat(Files.readAllLines(args)).containsExactly("transform", "2");
  }

  @Test
  void failingTransformerDefinesNothing() throws Exception {
    transformer("echo boom >&2; exit 1");
    InstanceSpec s = spec("i-2-19-VM", false);
    ApplicationFailure f = failure(() -> acts.defineDomain(s));
    assertThat(f.getType()).isEqualTo(HostInstanceActivities.HOOK_FAILED);
    assertThat(f.isNonRetryable()).isTrue();
    assertThat(f.getOriginalMessage()).startsWith("transformer hook failed: ").contains("boom");
    assertThat(acts.domainXml("i-2-19-VM")).isNull();
  }

  @Test
  void transformerPrintingNonXmlFails() throws Exception {
    transformer("cat > /dev/null; echo 'this is not xml'");
    InstanceSpec s = spec("i-2-20-VM", false);
    ApplicationFailure f = failure(() -> acts.defineDomain(s));
    assertThat(f.getType()).isEqualTo(HostInstanceActivities.HOOK_FAILED);
    assertThat(f.isNonRetryable()).isTrue();
    assertThat(f.getOriginalMessage()).contains("transformer hook failed").contains("not well-formed");
    assertThat(acts.domainXml("i-2-20-VM")).isNull();
  }

  @Test
  void transformerRenamingTheDomainFails() throws Exception {
    transformer("sed 's#<name>i-2-21-VM</name>#<name>evil</name>#'");
    InstanceSpec s = spec("i-2-21-VM", false);
    ApplicationFailure f = failure(() -> acts.defineDomain(s));
    assertThat(f.getType()).isEqualTo(HostInstanceActivities.HOOK_FAILED);
    assertThat(f.getOriginalMessage()).contains("'evil'").contains("i-2-21-VM");
    assertThat(acts.domainXml("i-2-21-VM")).isNull();
    assertThat(acts.domainXml("evil")).isNull();
  }

  @Test
  void hangingTransformerTimesOut() throws Exception {
    transformer("sleep 30");
    HostInstanceActivitiesImpl quick =
        onSimulated(h1, hooks, new HookRunner(Duration.ofMillis(500), 1 << 20), state);
    InstanceSpec s = spec("i-2-22-VM", false);
    long t0 = System.nanoTime();
    ApplicationFailure f = failure(() -> quick.defineDomain(s));
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(10));
    assertThat(f.getType()).isEqualTo(HostInstanceActivities.HOOK_FAILED);
    assertThat(f.getOriginalMessage()).contains("timed out");
    assertThat(quick.domainXml("i-2-22-VM")).isNull();
  }

  @Test
  void transformerPrintingTooMuchFails() throws Exception {
    transformer("cat > /dev/null; head -c 100000 /dev/zero | tr '\\0' x");
    HostInstanceActivitiesImpl capped =
        onSimulated(h1, hooks, new HookRunner(Duration.ofSeconds(10), 4096), state);
    ApplicationFailure f = failure(() -> capped.defineDomain(spec("i-2-23-VM", false)));
    assertThat(f.getType()).isEqualTo(HostInstanceActivities.HOOK_FAILED);
    assertThat(f.getOriginalMessage()).contains("exceeded");
  }

  // ------------------------------------------------------------ devices

  @Test
  void unknownPciDeviceFailsNamingIt() {
    InstanceSpec s = spec("i-2-24-VM", false, pci("0000:00:01.0", 0), pci("0000:9a:00.0", 0));
    ApplicationFailure f = failure(() -> acts.prepareDevices(s));
    assertThat(f.getType()).isEqualTo(HostInstanceActivities.LIBVIRT_FAILED);
    assertThat(f.isNonRetryable()).isTrue();
    assertThat(f.getOriginalMessage()).contains("0000:9a:00.0").contains("pci_0000_9a_00_0");
  }

  @Test
  void releaseWithNothingCreatedIsANoOp() throws Exception {
    List<String> before = Arrays.asList(h1.listDevices("mdev"));
    InstanceSpec s = spec("i-2-25-VM", false, simMdevs(1).get(0));
    acts.releaseDevices(s);
    acts.prepareDevices(s);
    acts.releaseDevices(s);
    acts.releaseDevices(spec("i-2-26-VM", false));
    assertThat(Arrays.asList(h1.listDevices("mdev"))).containsExactlyInAnyOrderElementsOf(before);
  }

  /**
   * An mdev the host does not list must be created; libvirt 9.0's test driver cannot create mdevs, so this fails
   * (retryable LIBVIRT_FAILED), and the intent recorded before the attempt is cleared by release.
   */
  @Test
  void missingMdevIsCreatedOrFailsOnTheTestDriver() throws Exception {
    String uuid = "0b9a7c8e-1111-4222-8333-444455556666";
    AssignedDevice m = new AssignedDevice("m-new", uuid, DeviceType.MDEV, "sim-8q", "0000:00:05.0", 0);
    InstanceSpec s = spec("i-2-27-VM", false, m);
    ApplicationFailure f = failure(() -> acts.prepareDevices(s));
    assertThat(f.getType()).isEqualTo(HostInstanceActivities.LIBVIRT_FAILED);
    assertThat(f.getOriginalMessage()).contains(uuid).contains("sim-8q");
    Path record = new CreatedMdevs(state).file(s.instanceId());
    assertThat(Files.readString(record)).contains(uuid);
    acts.releaseDevices(s);
    assertThat(Files.exists(record)).isFalse();
  }

  /**
   * The same missing mdev through the sysfs backend: setUp writes its uuid to the parent's create file, defines and
   * starts the domain with it, tearDown writes 1 to its remove file; the record holds it in between.
   */
  @Test
  void missingMdevIsCreatedAndRemovedThroughSysfs() throws Exception {
    FakeSysfs sysfs = new FakeSysfs(tmp.resolve("root")).gpu("0000:00:05.0", java.util.Map.of("sim-8q", "sim-8q"));
    HostInstanceActivitiesImpl viaSysfs = onSimulated(h1, hooks,
        new HookRunner(Duration.ofSeconds(10), 1 << 20), state, new SysfsMdevBackend(sysfs.root));
    String uuid = "0b9a7c8e-1111-4222-8333-444455556666";
    AssignedDevice m = new AssignedDevice("m-new", uuid, DeviceType.MDEV, "sim-8q", "0000:00:05.0", 0);
    InstanceSpec s = spec("i-2-33-VM", true, m);
    Path record = new CreatedMdevs(state).file(s.instanceId());

    viaSysfs.setUpDomain(s);
    assertThat(sysfs.kernel())
        .containsExactly("sys/class/mdev_bus/0000:00:05.0/mdev_supported_types/sim-8q/create <- " + uuid + "\n");
    assertThat(Files.readString(record)).contains(uuid);
    assertThat(viaSysfs.domainXml("i-2-33-VM")).contains("<address uuid='" + uuid + "'/>");
    assertThat(active(h1, "i-2-33-VM")).isTrue();
    viaSysfs.setUpDomain(s); // a retry: the mdev exists now, nothing is written
    assertThat(sysfs.kernel()).isEmpty();

    viaSysfs.tearDownDomain(s);
    assertThat(sysfs.kernel()).containsExactly("sys/bus/mdev/devices/" + uuid + "/remove <- 1\n");
    assertThat(sysfs.exists(uuid)).isFalse();
    assertThat(record).doesNotExist();
    assertThat(viaSysfs.domainXml("i-2-33-VM")).isNull();
  }

  @Test
  void mdevOnAMissingParentFailsNamingIt() {
    AssignedDevice m = new AssignedDevice("m-x", "0b9a7c8e-1111-4222-8333-444455556667", DeviceType.MDEV, "sim-8q",
        "0000:77:00.0", 0);
    ApplicationFailure f = failure(() -> acts.prepareDevices(spec("i-2-28-VM", false, m)));
    assertThat(f.isNonRetryable()).isTrue();
    assertThat(f.getOriginalMessage()).contains("0000:77:00.0");
  }

  @Test
  void mdevCreateXmlAndTypeLookup() {
    String xml = MdevXml.create("pci_0000_00_05_0", "nvidia-592", "0b9a7c8e-1111-4222-8333-444455556666");
    assertThat(xml).contains("<parent>pci_0000_00_05_0</parent>").contains("<capability type=\"mdev\">")
        .contains("<type id=\"nvidia-592\"/>").contains("<uuid>0b9a7c8e-1111-4222-8333-444455556666</uuid>");
    String parent = "<device><name>pci_0000_00_05_0</name><capability type='pci'>"
        + "<capability type='mdev_types'>"
        + "<type id='nvidia-590'><name>NVIDIA L40S-4Q</name></type>"
        + "<type id='nvidia-592'><name>NVIDIA L40S-12Q</name></type>"
        + "</capability></capability></device>";
    assertThat(MdevXml.typeIdFor(parent, "L40S-12Q")).isEqualTo("nvidia-592");
    assertThat(MdevXml.typeIdFor(parent, "nvidia-590")).isEqualTo("nvidia-590");
    assertThat(MdevXml.typeIdFor(parent, "NVIDIA L40S-4Q")).isEqualTo("nvidia-590");
    assertThat(MdevXml.typeIdFor(parent, "sim-8q")).isEqualTo("sim-8q");
  }

  @Test
  void concurrentDefinesOfOneInstanceDefineItOnce() throws Exception {
    InstanceSpec s = spec("i-2-29-VM", false, pci("0000:00:01.0", 0));
    int before = domainCount(h1);
    List<Thread> threads = new java.util.ArrayList<>();
    java.util.concurrent.ConcurrentLinkedQueue<Throwable> errors = new java.util.concurrent.ConcurrentLinkedQueue<>();
    for (int i = 0; i < 8; i++) {
      Thread t = new Thread(() -> {
        try {
          acts.defineDomain(s);
          acts.startDomain(s);
        } catch (Throwable e) {
          errors.add(e);
        }
      });
      threads.add(t);
      t.start();
    }
    for (Thread t : threads) {
      t.join();
    }
    assertThat(errors).isEmpty();
    assertThat(domainCount(h1)).isEqualTo(before + 1);
    Domain d = h1.domainLookupByName("i-2-29-VM");
    assertThat(d.isActive()).isEqualTo(1);
  }
}
