package io.gpucloud.agent.instance;

import io.gpucloud.activities.instance.AssignedDevice;
import io.gpucloud.activities.instance.HostInstanceActivities;
import io.gpucloud.activities.instance.InstanceSpec;
import io.gpucloud.activities.model.DeviceType;
import io.gpucloud.agent.domain.CanonicalUuid;
import io.gpucloud.agent.domain.DomainXmlBuilder;
import io.gpucloud.agent.domain.DomainXmlValidator;
import io.gpucloud.agent.domain.HostTopology;
import io.gpucloud.agent.domain.InvalidDomainXmlException;
import io.gpucloud.agent.hooks.HookFailedException;
import io.gpucloud.agent.hooks.HookResult;
import io.gpucloud.agent.hooks.HookRunner;
import io.gpucloud.activities.model.PciAddress;
import io.temporal.failure.ApplicationFailure;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import org.libvirt.Connect;
import org.libvirt.Device;
import org.libvirt.Domain;
import org.libvirt.Error.ErrorNumber;
import org.libvirt.LibvirtException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The instance steps on this agent's host, through one shared libvirt connection (qemu:///system on a real host,
 * the test driver on a simulated one: the same calls).
 *
 * <p>The two activities are made of steps, each public and idempotent on its own: setUpDomain is prepareDevices,
 * defineDomain, startDomain; tearDownDomain is undefineDomain, releaseDevices. Every step, and each activity as a
 * whole, runs under a lock per vmName, so two attempts at the same instance never interleave their libvirt calls;
 * different instances run in parallel. A step that runs long is reported as the activity's heartbeat
 * ({@link StepHeartbeat}).
 *
 * <p>mdevs: prepareDevices looks each MDEV up as node device {@code mdev_<uuid>} (libvirt 9 may also name an
 * mdev it created through mdevctl {@code mdev_<uuid>_<parent>}; both are tried). A missing one is created with
 * {@code virNodeDeviceCreateXML} (transient mdev, through mdevctl, on qemu:///system) and recorded in
 * {@link CreatedMdevs} first; releaseDevices destroys only recorded ones. libvirt 9.0's test driver cannot create
 * mdevs (its nodeDeviceCreateXML only knows vHBAs: "Device is not a fibre channel HBA"), but a simulated host's
 * document already lists every mdev of its discovery report, so lookup finds them and nothing is created or
 * destroyed there.
 *
 * <p>Hooks (in {@code hooksDir}, skipped when missing): {@value #TRANSFORMER_HOOK} {@code transform <xml>} (XML also
 * on stdin) before define; {@value #STATE_HOOK} {@code onStart <vm>} after every successful startDomain (also
 * when the domain was already running, so a retry after a crash between start and hook still runs it: at least
 * once) and {@code onStop <vm>} after undefineDomain stopped a running domain (a failing onStop is logged only:
 * an undo must finish).
 */
public class HostInstanceActivitiesImpl implements HostInstanceActivities {
  private static final Logger LOG = LoggerFactory.getLogger(HostInstanceActivitiesImpl.class);

  public static final String TRANSFORMER_HOOK = "libvirt-vm-xml-transformer.sh";
  public static final String STATE_HOOK = "libvirt-vm-state-change.sh";

  /** virDomainUndefineFlags VIR_DOMAIN_UNDEFINE_NVRAM (not a constant in libvirt-java 0.5.4). */
  static final int UNDEFINE_NVRAM = 4;

  /** libvirt errors that a retry cannot fix. */
  private static final Set<ErrorNumber> PERMANENT = EnumSet.of(
      ErrorNumber.VIR_ERR_NO_NODE_DEVICE,
      ErrorNumber.VIR_ERR_NO_DEVICE,
      ErrorNumber.VIR_ERR_NO_DOMAIN,
      ErrorNumber.VIR_ERR_XML_ERROR,
      ErrorNumber.VIR_ERR_XML_DETAIL,
      ErrorNumber.VIR_ERR_XML_INVALID_SCHEMA,
      ErrorNumber.VIR_ERR_CONFIG_UNSUPPORTED,
      ErrorNumber.VIR_ERR_INVALID_ARG,
      ErrorNumber.VIR_ERR_NO_SUPPORT,
      ErrorNumber.VIR_ERR_OPERATION_UNSUPPORTED,
      ErrorNumber.VIR_ERR_DOM_EXIST);

  private final Connect connect;
  private final Path hooksDir;
  private final HookRunner hooks;
  private final CreatedMdevs createdMdevs;
  private final ConcurrentHashMap<String, ReentrantLock> locks = new ConcurrentHashMap<>();
  private volatile HostTopology topology;

  /**
   * @param connect this agent's libvirt connection (shared, not closed here)
   * @param hooksDir the hooks directory ({@value #TRANSFORMER_HOOK}, {@value #STATE_HOOK})
   * @param hooks runs the hooks (timeout, output cap)
   * @param stateDir where the record of created mdevs is kept (created when first needed)
   */
  public HostInstanceActivitiesImpl(Connect connect, Path hooksDir, HookRunner hooks, Path stateDir) {
    this.connect = Objects.requireNonNull(connect, "connect");
    this.hooksDir = Objects.requireNonNull(hooksDir, "hooksDir");
    this.hooks = Objects.requireNonNull(hooks, "hooks");
    this.createdMdevs = new CreatedMdevs(Objects.requireNonNull(stateDir, "stateDir"));
  }

  public HostInstanceActivitiesImpl(
      Connect connect, Path hooksDir, Duration hookTimeout, int maxOutputBytes, Path stateDir) {
    this(connect, hooksDir, new HookRunner(hookTimeout, maxOutputBytes), stateDir);
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
    instanceId(spec);
    try (StepHeartbeat h = StepHeartbeat.begin()) {
      return withLock(spec.vmName(), () -> {
        List<String> done = new ArrayList<>();
        prepareDevices(spec);
        done.add("prepared " + spec.devices().size() + " device(s)");
        defineDomain(spec);
        done.add("defined domain " + spec.vmName());
        startDomain(spec);
        done.add("started domain " + spec.vmName());
        return done;
      });
    }
  }

  @Override
  public void tearDownDomain(InstanceSpec spec) {
    instanceId(spec);
    try (StepHeartbeat h = StepHeartbeat.begin()) {
      withLock(spec.vmName(), () -> {
        undefineDomain(spec.vmName());
        releaseDevices(spec);
        return null;
      });
    }
  }

  // ---------------------------------------------------------------- devices

  /** Creates the mdevs the instance's MDEV devices need (where missing); checks PCI devices exist. */
  public void prepareDevices(InstanceSpec spec) {
    String instanceId = instanceId(spec);
    withLock(spec.vmName(), () -> {
      for (AssignedDevice d : spec.devices()) {
        StepHeartbeat.step("prepare " + d.busAddress());
        switch (d.type()) {
          case PCI -> checkPciDevice(d);
          case MDEV -> ensureMdev(instanceId, spec.vmName(), d);
          default -> throw ApplicationFailure.newNonRetryableFailure("device " + d.deviceId() + " ("
              + d.busAddress() + ") is of type " + d.type() + " and cannot be assigned", LIBVIRT_FAILED);
        }
      }
      return null;
    });
  }

  private void checkPciDevice(AssignedDevice d) {
    String name = pciName(d.busAddress(), d);
    try {
      connect.deviceLookupByName(name);
    } catch (LibvirtException e) {
      if (code(e) == ErrorNumber.VIR_ERR_NO_NODE_DEVICE) {
        throw ApplicationFailure.newNonRetryableFailure("PCI device " + d.busAddress() + " (node device " + name
            + ") does not exist on this host", LIBVIRT_FAILED);
      }
      throw libvirtFailure("cannot look up PCI device " + d.busAddress(), e);
    }
  }

  private void ensureMdev(String instanceId, String vmName, AssignedDevice d) {
    String uuid = mdevUuid(d);
    if (d.parentBusAddress() == null || d.parentBusAddress().isBlank()) {
      throw ApplicationFailure.newNonRetryableFailure(
          "mdev " + uuid + " (device " + d.deviceId() + ") has no parent PCI address", LIBVIRT_FAILED);
    }
    String parent = pciName(d.parentBusAddress(), d);
    try {
      if (findMdev(uuid, parent, null).isPresent()) {
        LOG.debug("mdev {} exists", uuid);
        return;
      }
    } catch (LibvirtException e) {
      throw libvirtFailure("cannot look up mdev " + uuid, e);
    }
    Device parentDevice;
    try {
      parentDevice = connect.deviceLookupByName(parent);
    } catch (LibvirtException e) {
      if (code(e) == ErrorNumber.VIR_ERR_NO_NODE_DEVICE) {
        throw ApplicationFailure.newNonRetryableFailure("parent GPU " + d.parentBusAddress() + " (node device "
            + parent + ") of mdev " + uuid + " does not exist on this host", LIBVIRT_FAILED);
      }
      throw libvirtFailure("cannot look up parent GPU " + d.parentBusAddress() + " of mdev " + uuid, e);
    }
    String typeId = mdevTypeId(parentDevice, d.profileName());
    String xml = MdevXml.create(parent, typeId, uuid);
    try {
      createdMdevs.add(instanceId, vmName, new CreatedMdevs.Entry(uuid, parent, null));
    } catch (UncheckedIOException e) {
      throw ApplicationFailure.newFailureWithCause(e.getMessage(), LIBVIRT_FAILED, e);
    }
    try {
      Device created = connect.deviceCreateXML(xml);
      String name = created.getName();
      createdMdevs.add(instanceId, vmName, new CreatedMdevs.Entry(uuid, parent, name));
      LOG.info("created mdev {} ({}) of type {} on {} for {}", uuid, name, typeId, parent, vmName);
    } catch (LibvirtException e) {
      throw libvirtFailure("cannot create mdev " + uuid + " of type " + typeId + " on " + d.parentBusAddress(), e);
    } catch (UncheckedIOException e) {
      throw ApplicationFailure.newFailureWithCause(e.getMessage(), LIBVIRT_FAILED, e);
    }
  }

  /** Undo of prepareDevices: removes the mdevs prepareDevices created for this instance. */
  public void releaseDevices(InstanceSpec spec) {
    String instanceId = instanceId(spec);
    withLock(spec.vmName(), () -> {
      CreatedMdevs.Record record;
      try {
        record = createdMdevs.read(instanceId, spec.vmName());
      } catch (UncheckedIOException e) {
        throw ApplicationFailure.newFailureWithCause(e.getMessage(), LIBVIRT_FAILED, e);
      }
      List<CreatedMdevs.Entry> left = new ArrayList<>();
      LibvirtException firstError = null;
      String failed = null;
      for (CreatedMdevs.Entry m : record.mdevs()) {
        StepHeartbeat.step("release " + m.uuid());
        try {
          Optional<Device> dev = findMdev(m.uuid(), m.parent(), m.deviceName());
          if (dev.isPresent()) {
            dev.get().destroy();
            LOG.info("destroyed mdev {} of {}", m.uuid(), spec.vmName());
          }
        } catch (LibvirtException e) {
          LOG.warn("cannot destroy mdev {} of {}: {}", m.uuid(), spec.vmName(), e.getMessage());
          left.add(m);
          if (firstError == null) {
            firstError = e;
            failed = m.uuid();
          }
        }
      }
      try {
        createdMdevs.write(new CreatedMdevs.Record(instanceId, spec.vmName(), left));
      } catch (UncheckedIOException e) {
        throw ApplicationFailure.newFailureWithCause(e.getMessage(), LIBVIRT_FAILED, e);
      }
      if (firstError != null) {
        // retryable even for "permanent" codes: the mdev may still be held by a domain being torn down
        throw ApplicationFailure.newFailureWithCause("cannot destroy mdev " + failed + ": " + firstError.getMessage(),
            LIBVIRT_FAILED, firstError);
      }
      return null;
    });
  }

  /** The mdev node device, by its recorded name, {@code mdev_<uuid>} or {@code mdev_<uuid>_<parent>}. */
  private Optional<Device> findMdev(String uuid, String parentName, String recordedName) throws LibvirtException {
    Set<String> names = new LinkedHashSet<>();
    if (recordedName != null) {
      names.add(recordedName);
    }
    String base = DomainXmlBuilder.mdevNodeDeviceName(uuid);
    names.add(base);
    if (parentName != null && parentName.startsWith("pci_")) {
      names.add(base + "_" + parentName.substring("pci_".length()));
    }
    for (String n : names) {
      try {
        return Optional.of(connect.deviceLookupByName(n));
      } catch (LibvirtException e) {
        if (code(e) != ErrorNumber.VIR_ERR_NO_NODE_DEVICE) {
          throw e;
        }
      }
    }
    return Optional.empty();
  }

  /** The parent's mdev type whose id or name is the profile (NVIDIA: id nvidia-NNN, name "... L40S-12Q"). */
  private String mdevTypeId(Device parent, String profileName) {
    if (profileName == null || profileName.isBlank()) {
      throw ApplicationFailure.newNonRetryableFailure("mdev device has no profile (mdev type)", LIBVIRT_FAILED);
    }
    try {
      return MdevXml.typeIdFor(parent.getXMLDescription(), profileName);
    } catch (LibvirtException e) {
      throw libvirtFailure("cannot read the mdev types of " + profileName + "'s parent", e);
    }
  }

  // ---------------------------------------------------------------- domain

  /** Builds the domain XML, runs the transformer hook on it and defines it. */
  public void defineDomain(InstanceSpec spec) {
    String uuid = instanceId(spec);
    withLock(spec.vmName(), () -> {
      String xml;
      try {
        xml = DomainXmlBuilder.build(spec, topology());
      } catch (IllegalArgumentException e) {
        throw ApplicationFailure.newNonRetryableFailure(
            "cannot build domain XML of " + spec.vmName() + ": " + e.getMessage(), LIBVIRT_FAILED);
      }
      checkNoConflict(spec.vmName(), uuid);
      StepHeartbeat.step("transform " + spec.vmName());
      xml = transform(spec, xml);
      StepHeartbeat.step("define " + spec.vmName());
      try {
        connect.domainDefineXML(xml);
        LOG.info("defined domain {} ({})", spec.vmName(), uuid);
        return null;
      } catch (LibvirtException e) {
        throw libvirtFailure("cannot define domain " + spec.vmName(), e);
      }
    });
  }

  /** Fails (non-retryable) when the name or the uuid is already taken by another domain. */
  private void checkNoConflict(String vmName, String uuid) {
    try {
      Domain byName = lookup(vmName);
      if (byName != null) {
        String existing = byName.getUUIDString();
        if (!existing.equalsIgnoreCase(uuid)) {
          throw ApplicationFailure.newNonRetryableFailure("domain " + vmName + " already exists on this host with uuid "
              + existing + ", not " + uuid, LIBVIRT_FAILED);
        }
        return; // same domain: redefining it is idempotent
      }
      Domain byUuid;
      try {
        byUuid = connect.domainLookupByUUIDString(uuid);
      } catch (LibvirtException e) {
        if (code(e) == ErrorNumber.VIR_ERR_NO_DOMAIN) {
          return;
        }
        throw e;
      }
      throw ApplicationFailure.newNonRetryableFailure("uuid " + uuid + " is already used by domain "
          + byUuid.getName() + " on this host, not " + vmName, LIBVIRT_FAILED);
    } catch (LibvirtException e) {
      throw libvirtFailure("cannot look up domain " + vmName, e);
    }
  }

  private String transform(InstanceSpec spec, String xml) {
    Path hook = hooksDir.resolve(TRANSFORMER_HOOK);
    Optional<HookResult> result;
    try {
      result = hooks.runIfPresent(hook, "transform", List.of(xml), xml);
    } catch (HookFailedException e) {
      LOG.warn("transformer hook failed for {}: {}", spec.vmName(), e.getMessage());
      throw ApplicationFailure.newNonRetryableFailure("transformer hook failed: " + e.getMessage(), HOOK_FAILED);
    }
    if (result.isEmpty()) {
      return xml;
    }
    String out = result.get().stdout();
    try {
      DomainXmlValidator.validate(out, spec.vmName(), spec.instanceId());
    } catch (InvalidDomainXmlException e) {
      String stderr = result.get().stderr().strip();
      String message = "transformer hook failed: " + hook + " did not print the libvirt domain of " + spec.vmName()
          + ": " + e.getMessage() + (stderr.isEmpty() ? "" : "; stderr: " + cut(stderr));
      LOG.warn(message);
      throw ApplicationFailure.newNonRetryableFailure(message, HOOK_FAILED);
    }
    LOG.debug("transformer hook applied to {}", spec.vmName());
    return out;
  }

  /** Starts the domain (if not running) and runs the state hook onStart. */
  public void startDomain(InstanceSpec spec) {
    String uuid = instanceId(spec);
    withLock(spec.vmName(), () -> {
      try {
        Domain domain = lookup(spec.vmName());
        if (domain == null) {
          throw ApplicationFailure.newNonRetryableFailure(
              "domain " + spec.vmName() + " is not defined on this host", LIBVIRT_FAILED);
        }
        if (!domain.getUUIDString().equalsIgnoreCase(uuid)) {
          throw ApplicationFailure.newNonRetryableFailure("domain " + spec.vmName() + " on this host has uuid "
              + domain.getUUIDString() + ", not " + uuid, LIBVIRT_FAILED);
        }
        if (domain.isActive() != 1) {
          StepHeartbeat.step("start " + spec.vmName());
          domain.create();
          LOG.info("started domain {}", spec.vmName());
        }
      } catch (LibvirtException e) {
        throw libvirtFailure("cannot start domain " + spec.vmName(), e);
      }
      StepHeartbeat.step("state hook onStart " + spec.vmName());
      try {
        hooks.runIfPresent(hooksDir.resolve(STATE_HOOK), "onStart", spec.vmName());
      } catch (HookFailedException e) {
        LOG.warn("state hook onStart failed for {}: {}", spec.vmName(), e.getMessage());
        throw ApplicationFailure.newNonRetryableFailure("state hook failed: " + e.getMessage(), HOOK_FAILED);
      }
      return null;
    });
  }

  /** Stops the domain if running (state hook onStop) and undefines it; missing is fine. */
  public void undefineDomain(String vmName) {
    requireName(vmName);
    withLock(vmName, () -> {
      try {
        Domain domain = lookup(vmName);
        if (domain == null) {
          LOG.debug("undefine {}: no such domain", vmName);
          return null;
        }
        if (domain.isActive() == 1) {
          StepHeartbeat.step("stop " + vmName);
          domain.destroy();
          LOG.info("stopped domain {}", vmName);
          try {
            hooks.runIfPresent(hooksDir.resolve(STATE_HOOK), "onStop", vmName);
          } catch (HookFailedException e) {
            LOG.warn("state hook onStop failed for {} (ignored, the undo goes on): {}", vmName, e.getMessage());
          }
        }
        undefine(domain);
        LOG.info("undefined domain {}", vmName);
        return null;
      } catch (LibvirtException e) {
        if (code(e) == ErrorNumber.VIR_ERR_NO_DOMAIN) {
          return null; // vanished meanwhile: the goal is reached
        }
        throw libvirtFailure("cannot undefine domain " + vmName, e);
      }
    });
  }

  /** Undefines with managed save, snapshot metadata and NVRAM dropped, fewer flags where a driver refuses them. */
  private static void undefine(Domain domain) throws LibvirtException {
    int[] attempts = {
      Domain.UndefineFlags.MANAGED_SAVE | Domain.UndefineFlags.SNAPSHOTS_METADATA | UNDEFINE_NVRAM,
      Domain.UndefineFlags.MANAGED_SAVE | Domain.UndefineFlags.SNAPSHOTS_METADATA,
    };
    for (int flags : attempts) {
      try {
        domain.undefine(flags);
        return;
      } catch (LibvirtException e) {
        ErrorNumber c = code(e);
        if (c != ErrorNumber.VIR_ERR_INVALID_ARG && c != ErrorNumber.VIR_ERR_NO_SUPPORT
            && c != ErrorNumber.VIR_ERR_OPERATION_UNSUPPORTED) {
          throw e;
        }
      }
    }
    domain.undefine();
  }

  @Override
  public String domainXml(String vmName) {
    requireName(vmName);
    try {
      Domain domain = lookup(vmName);
      return domain == null ? null : domain.getXMLDesc(0);
    } catch (LibvirtException e) {
      if (code(e) == ErrorNumber.VIR_ERR_NO_DOMAIN) {
        return null;
      }
      throw libvirtFailure("cannot read domain " + vmName, e);
    }
  }

  // ---------------------------------------------------------------- helpers

  /** The domain called vmName, or null. */
  private Domain lookup(String vmName) throws LibvirtException {
    try {
      return connect.domainLookupByName(vmName);
    } catch (LibvirtException e) {
      if (code(e) == ErrorNumber.VIR_ERR_NO_DOMAIN) {
        return null;
      }
      throw e;
    }
  }

  /** The host's CPUs per NUMA node, read once; empty (vCPUs placed by libvirt) when unknown. */
  HostTopology topology() {
    HostTopology t = topology;
    if (t == null) {
      synchronized (this) {
        t = topology;
        if (t == null) {
          try {
            t = HostTopology.parseCapabilities(connect.getCapabilities());
          } catch (LibvirtException | IllegalArgumentException e) {
            LOG.warn("cannot read the host's NUMA topology, vCPUs will not be pinned: {}", e.getMessage());
            t = HostTopology.empty();
          }
          topology = t;
        }
      }
    }
    return t;
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

  private static void requireName(String vmName) {
    if (vmName == null || vmName.isBlank()) {
      throw ApplicationFailure.newNonRetryableFailure("vmName is required", LIBVIRT_FAILED);
    }
  }

  private static String instanceId(InstanceSpec spec) {
    if (spec == null) {
      throw ApplicationFailure.newNonRetryableFailure("instance spec is required", LIBVIRT_FAILED);
    }
    requireName(spec.vmName());
    return CanonicalUuid.tryNormalize(spec.instanceId()).orElseThrow(() -> ApplicationFailure.newNonRetryableFailure(
        "instance id '" + spec.instanceId() + "' of " + spec.vmName() + " is not a UUID", LIBVIRT_FAILED));
  }

  private static String pciName(String address, AssignedDevice d) {
    try {
      return PciAddress.parse(address).nodeDeviceName();
    } catch (IllegalArgumentException e) {
      throw ApplicationFailure.newNonRetryableFailure(
          "device " + d.deviceId() + ": " + e.getMessage(), LIBVIRT_FAILED);
    }
  }

  private static String mdevUuid(AssignedDevice d) {
    return CanonicalUuid.tryNormalize(d.busAddress()).orElseThrow(() -> ApplicationFailure.newNonRetryableFailure(
        "device " + d.deviceId() + ": mdev uuid '" + d.busAddress() + "' is not a UUID", LIBVIRT_FAILED));
  }

  static ErrorNumber code(LibvirtException e) {
    return e.getError() == null ? null : e.getError().getCode();
  }

  /** LIBVIRT_FAILED, retryable unless the libvirt error is one a retry cannot fix. */
  static ApplicationFailure libvirtFailure(String what, LibvirtException e) {
    ErrorNumber c = code(e);
    String message = what + ": " + e.getMessage() + (c == null ? "" : " (" + c + ")");
    LOG.warn(message);
    return PERMANENT.contains(c)
        ? ApplicationFailure.newNonRetryableFailureWithCause(message, LIBVIRT_FAILED, e)
        : ApplicationFailure.newFailureWithCause(message, LIBVIRT_FAILED, e);
  }

  private static String cut(String s) {
    return s.length() <= HookRunner.STDERR_IN_MESSAGE_CHARS
        ? s
        : s.substring(0, HookRunner.STDERR_IN_MESSAGE_CHARS) + "... (stderr truncated)";
  }
}
