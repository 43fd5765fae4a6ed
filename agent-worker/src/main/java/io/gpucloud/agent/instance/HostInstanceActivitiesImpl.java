package io.gpucloud.agent.instance;

import static io.gpucloud.agent.instance.HostStepException.Kind.LIBVIRT;

import io.gpucloud.activities.instance.AssignedDevice;
import io.gpucloud.activities.instance.HostInstanceActivities;
import io.gpucloud.activities.instance.InstanceSpec;
import io.gpucloud.agent.domain.CanonicalUuid;
import io.gpucloud.agent.domain.DomainXmlBuilder;
import io.gpucloud.agent.hooks.HookRunner;
import io.temporal.activity.Activity;
import io.temporal.failure.ApplicationFailure;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.libvirt.Connect;

/**
 * The instance steps on this agent's host: the activity boundary. It checks the spec, takes the instance's lock,
 * beats, runs the steps through the parts that do the work, and is the one place where their failures
 * ({@link HostStepException}) become the activity's ApplicationFailure: type {@link #LIBVIRT_FAILED} or
 * {@link #HOOK_FAILED}, retryable or not as the part decided, with its message.
 *
 * <p>The activities are made of steps, each public and idempotent on its own: setUpDomain is prepareDevices,
 * the root disk, defineDomain, startDomain; tearDownDomain is undefineDomain, releaseDevices and the undo of the
 * root disk (deleted only when that same set-up created it). The operations: stopDomain (ACPI shutdown, destroy
 * after the grace period, onStop, undefine), rebootDomain (onStop, reboot, onStart), removeMdevs, deleteRootDisk.
 * Every step, and each activity as a whole, runs under a lock per vmName, so two attempts at the same instance
 * never interleave their libvirt calls; different instances run in parallel. A step that runs long is reported as
 * the activity's heartbeat ({@link StepHeartbeat}).
 *
 * <p>The parts: {@link PciDevices} (PCI devices must exist), {@link MdevManager} (mdevs created for the instance
 * and only those removed, through an {@link MdevBackend}), {@link DomainLifecycle} (the libvirt domain),
 * {@link InstanceHooks} (XML transformer and state-change hooks), {@link RootDisks} (each instance's qcow2 overlay in
 * the host's storage pool). The domain XML is built by {@link DomainXmlBuilder}.
 */
public class HostInstanceActivitiesImpl implements HostInstanceActivities {
  public static final String TRANSFORMER_HOOK = InstanceHooks.TRANSFORMER_HOOK;
  public static final String STATE_HOOK = InstanceHooks.STATE_HOOK;

  private final PciDevices pciDevices;
  private final MdevManager mdevs;
  private final DomainLifecycle domains;
  private final InstanceHooks hooks;
  private final RootDisks rootDisks;
  private final RebootMarks rebootMarks;
  private volatile Supplier<String> setUpIds = HostInstanceActivitiesImpl::currentWorkflowId;
  private final ConcurrentHashMap<String, ReentrantLock> locks = new ConcurrentHashMap<>();

  /**
   * With mdevs as libvirt node devices.
   *
   * @param connect this agent's libvirt connection (shared, not closed here)
   * @param hooksDir the hooks directory ({@value #TRANSFORMER_HOOK}, {@value #STATE_HOOK})
   * @param hooks runs the hooks (timeout, output cap)
   * @param stateDir where the record of created mdevs is kept (created when first needed)
   */
  public HostInstanceActivitiesImpl(Connect connect, Path hooksDir, HookRunner hooks, Path stateDir) {
    this(connect, hooksDir, hooks, stateDir, new LibvirtMdevBackend(connect));
  }

  public HostInstanceActivitiesImpl(
      Connect connect, Path hooksDir, Duration hookTimeout, int maxOutputBytes, Path stateDir) {
    this(connect, hooksDir, new HookRunner(hookTimeout, maxOutputBytes), stateDir);
  }

  /** As the first constructor, with mdevs created and removed through {@code mdevBackend}. */
  public HostInstanceActivitiesImpl(
      Connect connect, Path hooksDir, HookRunner hooks, Path stateDir, MdevBackend mdevBackend) {
    this(connect, hooksDir, hooks, stateDir, mdevBackend, DomainJournal.NONE);
  }

  /**
   * As the first constructor, with mdevs through {@code mdevBackend} and every domain change told to
   * {@code journal} (a simulated host keeps its domains that way; {@link DomainJournal#NONE} on a real host).
   */
  public HostInstanceActivitiesImpl(Connect connect, Path hooksDir, HookRunner hooks, Path stateDir,
      MdevBackend mdevBackend, DomainJournal journal) {
    this(connect, hooksDir, hooks, stateDir, mdevBackend, journal, HostConfig.defaults());
  }

  /**
   * The full constructor: as above, with the root disks in {@code host}'s storage pool (volumes told to its journal)
   * and its NUMA topology (null there: from libvirt's capabilities).
   */
  public HostInstanceActivitiesImpl(Connect connect, Path hooksDir, HookRunner hooks, Path stateDir,
      MdevBackend mdevBackend, DomainJournal journal, HostConfig host) {
    Objects.requireNonNull(connect, "connect");
    Objects.requireNonNull(stateDir, "stateDir");
    Objects.requireNonNull(host, "host");
    this.pciDevices = new PciDevices(connect);
    this.mdevs = new MdevManager(mdevBackend, new CreatedMdevs(stateDir));
    this.domains = new DomainLifecycle(connect, journal, host.topology());
    this.hooks = new InstanceHooks(hooksDir, hooks);
    this.rootDisks = new RootDisks(connect, host.storagePool(), host.volumes(), new CreatedDisks(stateDir));
    this.rebootMarks = new RebootMarks(stateDir);
  }

  /**
   * Where the id of a set-up or a reboot comes from (default: the activity's workflow id, null outside an activity):
   * tests name the operations they run as plain calls.
   */
  void setUpIds(Supplier<String> ids) {
    this.setUpIds = Objects.requireNonNull(ids, "ids");
  }

  /** The workflow id of the activity running on this thread (deploy-..., start-...), or null outside one. */
  static String currentWorkflowId() {
    try {
      return Activity.getExecutionContext().getInfo().getWorkflowId();
    } catch (IllegalStateException | UnsupportedOperationException e) {
      return null;
    }
  }

  /** Looks up and refreshes the storage pool of the root disks; what it holds, for the agent's start-up log. */
  public String checkStoragePool() {
    return translated(rootDisks::describe);
  }

  /** The state directory of the agent: {@code <stateDir>/instances}, or /var/lib/gpu-agent/instances without one. */
  public static Path defaultStateDir(Path agentStateDir) {
    return agentStateDir != null
        ? agentStateDir.resolve("instances")
        : Path.of("/var/lib/gpu-agent/instances");
  }

  // ---------------------------------------------------------------- the activities

  @Override
  public List<String> setUpDomain(InstanceSpec spec) {
    return translated(() -> {
      String instanceId = instanceId(spec);
      try (StepHeartbeat h = StepHeartbeat.begin()) {
        return withLock(spec.vmName(), () -> {
          List<String> done = new ArrayList<>();
          prepare(instanceId, spec);
          done.add("prepared " + spec.devices().size() + " device(s)");
          String disk = rootDisk(instanceId, spec);
          done.add("root disk " + disk);
          define(instanceId, spec, disk);
          done.add("defined domain " + spec.vmName());
          start(instanceId, spec);
          done.add("started domain " + spec.vmName());
          return done;
        });
      }
    });
  }

  @Override
  public void tearDownDomain(InstanceSpec spec) {
    translated(() -> {
      String instanceId = instanceId(spec);
      try (StepHeartbeat h = StepHeartbeat.begin()) {
        return withLock(spec.vmName(), () -> {
          undefine(spec.vmName());
          mdevs.release(instanceId, spec.vmName());
          rootDisks.undoCreate(instanceId, spec.vmName(), setUpIds.get());
          return null;
        });
      }
    });
  }

  @Override
  public void stopDomain(InstanceSpec spec, boolean force, int graceSeconds) {
    translated(() -> {
      String instanceId = instanceId(spec);
      try (StepHeartbeat h = StepHeartbeat.begin()) {
        return withLock(spec.vmName(), () -> {
          stop(instanceId, spec.vmName(), force, Duration.ofSeconds(Math.max(0, graceSeconds)));
          return null;
        });
      }
    });
  }

  @Override
  public void rebootDomain(InstanceSpec spec) {
    translated(() -> {
      String instanceId = instanceId(spec);
      try (StepHeartbeat h = StepHeartbeat.begin()) {
        return withLock(spec.vmName(), () -> {
          reboot(instanceId, spec.vmName(), setUpIds.get());
          return null;
        });
      }
    });
  }

  @Override
  public void removeMdevs(InstanceSpec spec) {
    translated(() -> {
      String instanceId = instanceId(spec);
      try (StepHeartbeat h = StepHeartbeat.begin()) {
        return withLock(spec.vmName(), () -> {
          mdevs.release(instanceId, spec.vmName());
          return null;
        });
      }
    });
  }

  @Override
  public void deleteRootDisk(InstanceSpec spec) {
    translated(() -> {
      String instanceId = instanceId(spec);
      try (StepHeartbeat h = StepHeartbeat.begin()) {
        return withLock(spec.vmName(), () -> {
          rootDisks.delete(instanceId, spec.vmName());
          return null;
        });
      }
    });
  }

  /**
   * The path of the instance's root disk in this host's pool, or empty when this host has none: what a
   * {@code RootDiskExists} host step would answer (proposed for the contract, not in it: a migration to a host that
   * does not share the pool would find no disk there).
   */
  public Optional<String> rootDiskPath(InstanceSpec spec) {
    return translated(() -> rootDisks.path(instanceId(spec)));
  }

  @Override
  public String domainXml(String vmName) {
    return translated(() -> {
      requireName(vmName);
      return domains.xml(vmName);
    });
  }

  // ---------------------------------------------------------------- the steps

  /** Creates the mdevs the instance's MDEV devices need (where missing); checks PCI devices exist. */
  public void prepareDevices(InstanceSpec spec) {
    step(spec, instanceId -> prepare(instanceId, spec));
  }

  /** Undo of prepareDevices: removes the mdevs prepareDevices created for this instance. */
  public void releaseDevices(InstanceSpec spec) {
    step(spec, instanceId -> mdevs.release(instanceId, spec.vmName()));
  }

  /** Creates the root disk when missing, builds the domain XML, runs the transformer hook on it and defines it. */
  public void defineDomain(InstanceSpec spec) {
    step(spec, instanceId -> define(instanceId, spec, rootDisk(instanceId, spec)));
  }

  /** Starts the domain (if not running) and runs the state hook onStart. */
  public void startDomain(InstanceSpec spec) {
    step(spec, instanceId -> start(instanceId, spec));
  }

  /** Stops the domain if running (state hook onStop) and undefines it; missing is fine. */
  public void undefineDomain(String vmName) {
    translated(() -> {
      requireName(vmName);
      return withLock(vmName, () -> {
        undefine(vmName);
        return null;
      });
    });
  }

  private void prepare(String instanceId, InstanceSpec spec) {
    for (AssignedDevice d : spec.devices()) {
      StepHeartbeat.step("prepare " + d.busAddress());
      switch (d.type()) {
        case PCI -> pciDevices.requireExists(d);
        case MDEV -> mdevs.ensure(instanceId, spec.vmName(), d);
        default -> throw HostStepException.permanent(LIBVIRT, "device " + d.deviceId() + " ("
            + d.busAddress() + ") is of type " + d.type() + " and cannot be assigned");
      }
    }
  }

  private String rootDisk(String instanceId, InstanceSpec spec) {
    StepHeartbeat.step("root disk " + spec.vmName());
    return rootDisks.ensure(instanceId, spec, setUpIds.get());
  }

  private void define(String uuid, InstanceSpec spec, String rootDiskPath) {
    String xml;
    try {
      xml = DomainXmlBuilder.build(spec, domains.topology(), rootDiskPath);
    } catch (IllegalArgumentException e) {
      throw HostStepException.permanent(LIBVIRT,
          "cannot build domain XML of " + spec.vmName() + ": " + e.getMessage());
    }
    domains.checkNoConflict(spec.vmName(), uuid);
    StepHeartbeat.step("transform " + spec.vmName());
    xml = hooks.transform(spec, xml);
    StepHeartbeat.step("define " + spec.vmName());
    domains.define(spec.vmName(), uuid, xml);
  }

  private void start(String uuid, InstanceSpec spec) {
    domains.start(spec.vmName(), uuid);
    StepHeartbeat.step("state hook onStart " + spec.vmName());
    hooks.onStart(spec.vmName());
  }

  private void undefine(String vmName) {
    domains.undefine(vmName, () -> hooks.onStop(vmName));
  }

  /**
   * Reboot: onStop, the reboot, onStart. The reboot is marked done ({@link RebootMarks}) until onStart has run, so a
   * retry of the same reboot after a crash in between runs onStart without rebooting the guest again. A failing
   * onStop fails the step before the guest is touched.
   */
  private void reboot(String uuid, String vmName, String operationId) {
    try {
      if (!rebootMarks.rebooted(uuid, operationId)) {
        domains.reboot(vmName, uuid, () -> {
          StepHeartbeat.step("state hook onStop " + vmName);
          HostStepException failed = hooks.onStopFailure(vmName);
          if (failed != null) {
            throw failed; // before the reboot: nothing happened to the guest
          }
        });
        rebootMarks.mark(uuid, operationId);
      } else {
        domains.start(vmName, uuid); // rebooted before the crash: only make sure it runs
      }
      StepHeartbeat.step("state hook onStart " + vmName);
      hooks.onStart(vmName);
      rebootMarks.clear(uuid);
    } catch (java.io.UncheckedIOException e) {
      throw LibvirtFailures.stateFile(e);
    }
  }

  /**
   * Stop: the domain shut off (ACPI, then destroy after {@code grace}; at once with force), onStop, undefine. A
   * failing onStop does not keep the domain defined: the stop finishes, then the hook's failure is reported, so a
   * repeat (a destroy of the instance in Error) finds nothing left to stop. A domain that is not defined is a
   * repeat: nothing runs, the hook neither.
   */
  private void stop(String uuid, String vmName, boolean force, Duration grace) {
    if (!domains.shutOff(vmName, uuid, force, grace)) {
      return;
    }
    StepHeartbeat.step("state hook onStop " + vmName);
    HostStepException hookFailed = hooks.onStopFailure(vmName);
    StepHeartbeat.step("undefine " + vmName);
    domains.undefine(vmName, () -> {});
    if (hookFailed != null) {
      throw hookFailed;
    }
  }

  // ---------------------------------------------------------------- the boundary

  /** A step of one instance: the spec checked, then {@code body} under the instance's lock. */
  private void step(InstanceSpec spec, Consumer<String> body) {
    translated(() -> {
      String instanceId = instanceId(spec);
      return withLock(spec.vmName(), () -> {
        body.accept(instanceId);
        return null;
      });
    });
  }

  private <T> T withLock(String vmName, Supplier<T> body) {
    requireName(vmName);
    ReentrantLock lock = locks.computeIfAbsent(vmName, k -> new ReentrantLock());
    lock.lock();
    try {
      return body.get();
    } finally {
      lock.unlock();
    }
  }

  /** Runs {@code body}; a {@link HostStepException} leaves as the activity's ApplicationFailure. */
  private static <T> T translated(Supplier<T> body) {
    try {
      return body.get();
    } catch (HostStepException e) {
      throw applicationFailure(e);
    }
  }

  /** The activity's failure for {@code e}: its type, message, cause and retry choice. */
  static ApplicationFailure applicationFailure(HostStepException e) {
    String type = switch (e.kind()) {
      case LIBVIRT -> LIBVIRT_FAILED;
      case HOOK -> HOOK_FAILED;
    };
    return e.retryable()
        ? ApplicationFailure.newFailureWithCause(e.getMessage(), type, e.getCause())
        : ApplicationFailure.newNonRetryableFailureWithCause(e.getMessage(), type, e.getCause());
  }

  private static void requireName(String vmName) {
    if (vmName == null || vmName.isBlank()) {
      throw HostStepException.permanent(LIBVIRT, "vmName is required");
    }
  }

  private static String instanceId(InstanceSpec spec) {
    if (spec == null) {
      throw HostStepException.permanent(LIBVIRT, "instance spec is required");
    }
    requireName(spec.vmName());
    return CanonicalUuid.tryNormalize(spec.instanceId()).orElseThrow(() -> HostStepException.permanent(LIBVIRT,
        "instance id '" + spec.instanceId() + "' of " + spec.vmName() + " is not a UUID"));
  }
}
