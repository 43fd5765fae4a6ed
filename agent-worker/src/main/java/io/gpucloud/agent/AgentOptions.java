package io.gpucloud.agent;

import io.gpucloud.agent.discovery.DiscoveryOptIn;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Command-line options of the agent worker. A real host names its libvirt URI and hooks directory;
 * a simulated host names a host spec YAML and a state directory, and the agent makes its libvirt
 * test-driver document and its discovery hook there.
 */
public record AgentOptions(
    String hostName,
    String temporalTarget,
    String namespace,
    String libvirtUri,
    Path hooksDir,
    Path discoveryScript,
    Duration hookTimeout,
    Duration discoveryTimeout,
    int maxOutputBytes,
    Path simulateSpec,
    Path stateDir,
    int taskPollers,
    MdevBackendKind mdevBackend,
    Path sysfsRoot,
    String storagePool,
    DiscoveryOptIn discoveryInclude) {
  /** How the agent creates and removes mdevs. */
  public enum MdevBackendKind {
    /** libvirt node devices (virNodeDeviceCreateXML / virNodeDeviceDestroy): the default. */
    LIBVIRT,
    /** the kernel's mdev files in sysfs under {@link #sysfsRoot}, as mdevctl writes them. */
    SYSFS
  }

  /**
   * Activity-task polls the agent keeps open: a step that finds one waiting is handed over at once
   * (sync match); one that finds none is written to Temporal's database and read back later, which
   * costs the server a write, a read and latency. A host that takes 8 deploys in a burst needs 8+.
   */
  static final int DEFAULT_TASK_POLLERS = 10;

  static final String USAGE = String.join("\n",
      "usage: agent-worker [options]",
      "  --host NAME               host name (task queue host-NAME); default: from --simulate spec",
      "  --temporal HOST:PORT      Temporal frontend (default 127.0.0.1:7233)",
      "  --namespace NS            Temporal namespace (default default)",
      "  --libvirt-uri URI         hypervisor (default qemu:///system)",
      "  --hooks-dir DIR           hook directory (default /etc/gpu-agent/hooks)",
      "  --discovery-script PATH   discovery hook (default HOOKS_DIR/gpudiscovery.sh)",
      "  --hook-timeout SECONDS    timeout of each hook run (default 30)",
      "  --discovery-timeout SEC   timeout of the discovery hook (default 60)",
      "  --max-output-bytes N      cap on what a hook may print (default 4194304)",
      "  --simulate SPEC.yml       run as a simulated host from this spec (libvirt test driver)",
      "  --state-dir DIR           where a simulated host keeps its generated files",
      "  --task-pollers N          activity-task polls kept open on the host's queue (default " + DEFAULT_TASK_POLLERS + ")",
      "  --mdev-backend KIND       how mdevs are created and removed: libvirt (node devices through the libvirt",
      "                            connection, default) or sysfs (the uuid written to SYSFS_ROOT/sys/class/mdev_bus/",
      "                            PARENT/mdev_supported_types/TYPE/create, 1 to SYSFS_ROOT/sys/bus/mdev/devices/",
      "                            UUID/remove, as mdevctl does)",
      "  --sysfs-root DIR          root holding sys/ for --mdev-backend sysfs (default /)",
      "  --storage-pool NAME       libvirt storage pool of the instances' root disks, qcow2 overlays on the template",
      "                            image (default " + io.gpucloud.agent.instance.HostConfig.DEFAULT_POOL
          + "; a simulated host uses its spec's storagePool)",
      "  --discovery-include LIST  host console displays to report anyway: PCI addresses and vendor:device ids,",
      "                            comma-separated (e.g. 0000:03:00.0,102b:0536); passed to the hook as --include");

  public static AgentOptions parse(String[] args) {
    String host = null;
    String temporal = "127.0.0.1:7233";
    String ns = "default";
    String uri = null;
    Path hooks = null;
    Path discovery = null;
    Duration hookTimeout = Duration.ofSeconds(30);
    Duration discoveryTimeout = Duration.ofSeconds(60);
    int maxOut = 4 * 1024 * 1024;
    Path spec = null;
    Path state = null;
    int pollers = DEFAULT_TASK_POLLERS;
    MdevBackendKind mdevBackend = MdevBackendKind.LIBVIRT;
    Path sysfsRoot = null;
    String storagePool = null;
    DiscoveryOptIn include = DiscoveryOptIn.NONE;
    List<String> rest = new ArrayList<>(List.of(args));
    while (!rest.isEmpty()) {
      String flag = rest.remove(0);
      if (flag.equals("--help") || flag.equals("-h")) {
        throw new IllegalArgumentException(USAGE);
      }
      if (rest.isEmpty()) {
        throw new IllegalArgumentException(flag + " needs a value\n" + USAGE);
      }
      String v = rest.remove(0);
      switch (flag) {
        case "--host" -> host = v;
        case "--temporal" -> temporal = v;
        case "--namespace" -> ns = v;
        case "--libvirt-uri" -> uri = v;
        case "--hooks-dir" -> hooks = Path.of(v);
        case "--discovery-script" -> discovery = Path.of(v);
        case "--hook-timeout" -> hookTimeout = Duration.ofSeconds(positive(flag, v));
        case "--discovery-timeout" -> discoveryTimeout = Duration.ofSeconds(positive(flag, v));
        case "--max-output-bytes" -> maxOut = (int) positive(flag, v);
        case "--simulate" -> spec = Path.of(v);
        case "--state-dir" -> state = Path.of(v);
        case "--task-pollers" -> pollers = (int) positive(flag, v);
        case "--mdev-backend" -> mdevBackend = mdevBackend(v);
        case "--sysfs-root" -> sysfsRoot = Path.of(v);
        case "--storage-pool" -> storagePool = poolName(v);
        case "--discovery-include" -> include = discoveryInclude(include, v);
        default -> throw new IllegalArgumentException("unknown option " + flag + "\n" + USAGE);
      }
    }
    if (spec != null && state == null) {
      throw new IllegalArgumentException("--simulate needs --state-dir");
    }
    if (spec == null && host == null) {
      throw new IllegalArgumentException("--host is required for a real host\n" + USAGE);
    }
    if (sysfsRoot != null && mdevBackend != MdevBackendKind.SYSFS) {
      throw new IllegalArgumentException("--sysfs-root needs --mdev-backend sysfs");
    }
    if (sysfsRoot == null) {
      sysfsRoot = Path.of("/");
    }
    if (hooks == null) {
      hooks = state != null ? state.resolve("hooks") : Path.of("/etc/gpu-agent/hooks");
    }
    if (discovery == null) {
      discovery = hooks.resolve("gpudiscovery.sh");
    }
    if (uri == null && spec == null) {
      uri = "qemu:///system";
    }
    return new AgentOptions(host, temporal, ns, uri, hooks, discovery, hookTimeout, discoveryTimeout, maxOut, spec,
        state, pollers, mdevBackend, sysfsRoot, storagePool, include);
  }

  private static String poolName(String v) {
    if (v.isBlank() || v.contains("/")) {
      throw new IllegalArgumentException("--storage-pool must be a libvirt pool name, got '" + v + "'");
    }
    return v;
  }

  private static MdevBackendKind mdevBackend(String v) {
    return switch (v) {
      case "libvirt" -> MdevBackendKind.LIBVIRT;
      case "sysfs" -> MdevBackendKind.SYSFS;
      default -> throw new IllegalArgumentException("--mdev-backend must be libvirt or sysfs, got '" + v + "'");
    };
  }

  /** The option may be given more than once: the lists add up. */
  private static DiscoveryOptIn discoveryInclude(DiscoveryOptIn before, String v) {
    try {
      return before.and(DiscoveryOptIn.parse(v));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--discovery-include: " + e.getMessage());
    }
  }

  private static long positive(String flag, String v) {
    try {
      long n = Long.parseLong(v);
      if (n > 0) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException(flag + " must be a positive integer, got '" + v + "'");
  }

  public AgentOptions withHost(String name, String uri) {
    return new AgentOptions(name, temporalTarget, namespace, uri, hooksDir, discoveryScript, hookTimeout,
        discoveryTimeout, maxOutputBytes, simulateSpec, stateDir, taskPollers, mdevBackend, sysfsRoot, storagePool,
        discoveryInclude);
  }
}
