package io.gpucloud.agent.instance;

import static io.gpucloud.agent.instance.HostStepException.Kind.LIBVIRT;

import io.gpucloud.agent.domain.HostTopology;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.libvirt.Connect;
import org.libvirt.Domain;
import org.libvirt.Error.ErrorNumber;
import org.libvirt.LibvirtException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The libvirt domain of an instance through the agent's one connection (qemu:///system on a real host, the test
 * driver on a simulated one: the same calls): look up, define, start, stop and undefine, each idempotent. The
 * domain's name is the vmName and its uuid the instance id; a name or uuid already taken by another domain is
 * refused. Called under the instance's lock; failures are {@link HostStepException}s. Every define, start, stop
 * and undefine is told to the {@link DomainJournal} (a simulated host's memory of its domains; nothing on a real
 * host).
 */
final class DomainLifecycle {
  private static final Logger LOG = LoggerFactory.getLogger(DomainLifecycle.class);

  /** virDomainUndefineFlags VIR_DOMAIN_UNDEFINE_NVRAM (not a constant in libvirt-java 0.5.4). */
  static final int UNDEFINE_NVRAM = 4;
  /** How often a graceful shutdown looks whether the domain is off. */
  static final Duration POLL = Duration.ofMillis(250);

  private final Connect connect;
  private final DomainJournal journal;
  private volatile HostTopology topology;

  DomainLifecycle(Connect connect, DomainJournal journal) {
    this(connect, journal, null);
  }

  /** With the host's topology given ({@code topology}), or read from libvirt's capabilities when null. */
  DomainLifecycle(Connect connect, DomainJournal journal, HostTopology topology) {
    this.connect = Objects.requireNonNull(connect, "connect");
    this.journal = Objects.requireNonNull(journal, "journal");
    this.topology = topology;
  }

  /** The host's CPUs per NUMA node, read once; empty (vCPUs not pinned, memory still strict) when unknown. */
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

  /** Fails (non-retryable) when the name or the uuid is already taken by another domain. */
  void checkNoConflict(String vmName, String uuid) {
    try {
      Domain byName = lookup(vmName);
      if (byName != null) {
        String existing = byName.getUUIDString();
        if (!existing.equalsIgnoreCase(uuid)) {
          throw HostStepException.permanent(LIBVIRT, "domain " + vmName + " already exists on this host with uuid "
              + existing + ", not " + uuid);
        }
        return; // same domain: redefining it is idempotent
      }
      Domain byUuid;
      try {
        byUuid = connect.domainLookupByUUIDString(uuid);
      } catch (LibvirtException e) {
        if (LibvirtFailures.code(e) == ErrorNumber.VIR_ERR_NO_DOMAIN) {
          return;
        }
        throw e;
      }
      throw HostStepException.permanent(LIBVIRT, "uuid " + uuid + " is already used by domain "
          + byUuid.getName() + " on this host, not " + vmName);
    } catch (LibvirtException e) {
      throw LibvirtFailures.failure("cannot look up domain " + vmName, e);
    }
  }

  /** Defines (or redefines) the domain from {@code xml}. */
  void define(String vmName, String uuid, String xml) {
    try {
      Domain defined = connect.domainDefineXML(xml);
      LOG.info("defined domain {} ({})", vmName, uuid);
      journal.changed(defined);
    } catch (LibvirtException e) {
      throw LibvirtFailures.failure("cannot define domain " + vmName, e);
    }
  }

  /** Starts the domain unless it runs; fails (non-retryable) when it is not defined or has another uuid. */
  void start(String vmName, String uuid) {
    try {
      Domain domain = instanceDomain(vmName, uuid);
      if (domain.isActive() != 1) {
        StepHeartbeat.step("start " + vmName);
        domain.create();
        LOG.info("started domain {}", vmName);
        journal.changed(domain);
      }
    } catch (LibvirtException e) {
      throw LibvirtFailures.failure("cannot start domain " + vmName, e);
    }
  }

  /**
   * Stops the domain if it runs (then {@code afterStop} runs, before the undefine) and undefines it; a missing
   * domain is fine.
   */
  void undefine(String vmName, Runnable afterStop) {
    try {
      Domain domain = lookup(vmName);
      if (domain == null) {
        LOG.debug("undefine {}: no such domain", vmName);
        return;
      }
      if (domain.isActive() == 1) {
        StepHeartbeat.step("stop " + vmName);
        domain.destroy();
        LOG.info("stopped domain {}", vmName);
        journal.changed(domain);
        afterStop.run();
      }
      undefine(domain);
      LOG.info("undefined domain {}", vmName);
      journal.undefined(domain);
    } catch (LibvirtException e) {
      if (LibvirtFailures.code(e) == ErrorNumber.VIR_ERR_NO_DOMAIN) {
        return; // vanished meanwhile: the goal is reached
      }
      throw LibvirtFailures.failure("cannot undefine domain " + vmName, e);
    }
  }

  /**
   * Brings the domain to shut off: an ACPI shutdown ({@code virDomainShutdown}), then its state polled until it is
   * off or {@code grace} has passed, then {@code virDomainDestroy}; with {@code force} the destroy comes at once. A
   * domain that is not running is left as it is. Returns false when no such domain is defined (a repeat); fails
   * (non-retryable) when the name belongs to a domain with another uuid. The same
   * code for the test driver, which shuts a domain off at once, and qemu, where the guest takes its time or ignores
   * the ACPI event.
   */
  boolean shutOff(String vmName, String uuid, boolean force, Duration grace) {
    try {
      Domain domain = lookup(vmName);
      if (domain == null) {
        LOG.debug("stop {}: no such domain", vmName);
        return false;
      }
      if (!domain.getUUIDString().equalsIgnoreCase(uuid)) {
        throw HostStepException.permanent(LIBVIRT, "domain " + vmName + " on this host has uuid "
            + domain.getUUIDString() + ", not " + uuid + ": not stopping it");
      }
      if (domain.isActive() != 1) {
        return true;
      }
      if (!force) {
        StepHeartbeat.step("shutdown " + vmName);
        if (shutdown(domain, vmName) && waitUntilOff(domain, vmName, grace)) {
          LOG.info("domain {} shut down", vmName);
          journal.changed(domain);
          return true;
        }
      }
      StepHeartbeat.step("destroy " + vmName);
      destroyIfActive(domain);
      LOG.info("destroyed domain {}{}", vmName, force ? " (forced)" : " (after " + grace.toSeconds() + " s)");
      journal.changed(domain);
      return true;
    } catch (LibvirtException e) {
      if (LibvirtFailures.code(e) == ErrorNumber.VIR_ERR_NO_DOMAIN) {
        return false; // undefined meanwhile
      }
      throw LibvirtFailures.failure("cannot stop domain " + vmName, e);
    }
  }

  /** Sends the ACPI shutdown; false (after a warning) when libvirt refuses it, so the caller destroys. */
  private static boolean shutdown(Domain domain, String vmName) throws LibvirtException {
    try {
      domain.shutdown();
      return true;
    } catch (LibvirtException e) {
      ErrorNumber c = LibvirtFailures.code(e);
      if (c == ErrorNumber.VIR_ERR_NO_DOMAIN) {
        throw e;
      }
      if (c == ErrorNumber.VIR_ERR_OPERATION_INVALID && domain.isActive() != 1) {
        return true; // went off meanwhile
      }
      LOG.warn("ACPI shutdown of {} refused, destroying it: {}", vmName, e.getMessage());
      return false;
    }
  }

  /** Polls until the domain is off; false when it still runs after {@code grace}. */
  private static boolean waitUntilOff(Domain domain, String vmName, Duration grace) throws LibvirtException {
    long deadline = System.nanoTime() + Math.max(0, grace.toNanos());
    while (true) {
      if (domain.isActive() != 1) {
        return true;
      }
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        LOG.info("domain {} still runs {} s after the ACPI shutdown", vmName, grace.toSeconds());
        return false;
      }
      StepHeartbeat.step("shutdown " + vmName + " (" + Math.max(1, TimeUnit.NANOSECONDS.toSeconds(left)) + " s left)");
      try {
        Thread.sleep(Math.min(POLL.toMillis(), Math.max(1, TimeUnit.NANOSECONDS.toMillis(left))));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false; // destroy now: the activity is going away
      }
    }
  }

  /** virDomainDestroy; a domain that went off meanwhile is fine. */
  private static void destroyIfActive(Domain domain) throws LibvirtException {
    try {
      domain.destroy();
    } catch (LibvirtException e) {
      if (LibvirtFailures.code(e) == ErrorNumber.VIR_ERR_OPERATION_INVALID && domain.isActive() != 1) {
        return;
      }
      throw e;
    }
  }

  /**
   * Reboots the running domain ({@code virDomainReboot}); where the driver cannot reboot, a destroy and a start. A
   * shut-off domain is started (the goal of a reboot is a freshly booted guest). {@code beforeReboot} runs once
   * the domain is known to be the instance's. Fails (non-retryable) when the domain is not defined or has another
   * uuid.
   */
  void reboot(String vmName, String uuid, Runnable beforeReboot) {
    try {
      Domain domain = instanceDomain(vmName, uuid);
      beforeReboot.run();
      StepHeartbeat.step("reboot " + vmName);
      if (domain.isActive() != 1) {
        domain.create();
        LOG.info("domain {} was not running: started it", vmName);
      } else {
        try {
          domain.reboot(0);
          LOG.info("rebooted domain {}", vmName);
        } catch (LibvirtException e) {
          ErrorNumber c = LibvirtFailures.code(e);
          if (c != ErrorNumber.VIR_ERR_NO_SUPPORT && c != ErrorNumber.VIR_ERR_OPERATION_UNSUPPORTED
              && c != ErrorNumber.VIR_ERR_ARGUMENT_UNSUPPORTED) {
            throw e;
          }
          LOG.info("domain {} cannot be rebooted here ({}): destroying and starting it", vmName, e.getMessage());
          destroyIfActive(domain);
          domain.create();
        }
      }
      journal.changed(domain);
    } catch (LibvirtException e) {
      throw LibvirtFailures.failure("cannot reboot domain " + vmName, e);
    }
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
        ErrorNumber c = LibvirtFailures.code(e);
        if (c != ErrorNumber.VIR_ERR_INVALID_ARG && c != ErrorNumber.VIR_ERR_NO_SUPPORT
            && c != ErrorNumber.VIR_ERR_OPERATION_UNSUPPORTED) {
          throw e;
        }
      }
    }
    domain.undefine();
  }

  /** The domain's current XML, or null when no such domain is defined. */
  String xml(String vmName) {
    try {
      Domain domain = lookup(vmName);
      return domain == null ? null : domain.getXMLDesc(0);
    } catch (LibvirtException e) {
      if (LibvirtFailures.code(e) == ErrorNumber.VIR_ERR_NO_DOMAIN) {
        return null;
      }
      throw LibvirtFailures.failure("cannot read domain " + vmName, e);
    }
  }

  /** The domain called vmName; fails (non-retryable) when it is not defined or has another uuid than {@code uuid}. */
  private Domain instanceDomain(String vmName, String uuid) throws LibvirtException {
    Domain domain = lookup(vmName);
    if (domain == null) {
      throw HostStepException.permanent(LIBVIRT, "domain " + vmName + " is not defined on this host");
    }
    if (!domain.getUUIDString().equalsIgnoreCase(uuid)) {
      throw HostStepException.permanent(LIBVIRT, "domain " + vmName + " on this host has uuid "
          + domain.getUUIDString() + ", not " + uuid);
    }
    return domain;
  }

  /** The domain called vmName, or null. */
  private Domain lookup(String vmName) throws LibvirtException {
    try {
      return connect.domainLookupByName(vmName);
    } catch (LibvirtException e) {
      if (LibvirtFailures.code(e) == ErrorNumber.VIR_ERR_NO_DOMAIN) {
        return null;
      }
      throw e;
    }
  }
}
