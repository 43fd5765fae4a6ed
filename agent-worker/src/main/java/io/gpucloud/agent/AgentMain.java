package io.gpucloud.agent;

import io.gpucloud.activities.SearchAttributeKeys;
import io.gpucloud.activities.WorkflowTypes;
import io.gpucloud.activities.host.HostActivities;
import io.gpucloud.activities.host.HostRegistration;
import io.gpucloud.activities.inventory.InventoryActivities;
import io.gpucloud.agent.discovery.DiscoveryOptIn;
import io.gpucloud.agent.hooks.HookRunner;
import io.gpucloud.agent.domain.HostTopology;
import io.gpucloud.agent.instance.DomainJournal;
import io.gpucloud.agent.instance.HostConfig;
import io.gpucloud.agent.instance.HostInstanceActivitiesImpl;
import io.gpucloud.agent.instance.LibvirtMdevBackend;
import io.gpucloud.agent.instance.MdevBackend;
import io.gpucloud.agent.instance.SysfsMdevBackend;
import io.gpucloud.agent.instance.VolumeJournal;
import io.gpucloud.agent.sim.HostSpec;
import io.gpucloud.agent.sim.HostSpecLoader;
import io.gpucloud.agent.sim.SavedDomains;
import io.gpucloud.agent.sim.SavedVolumes;
import io.temporal.api.enums.v1.WorkflowIdConflictPolicy;
import io.temporal.api.enums.v1.WorkflowIdReusePolicy;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.common.SearchAttributes;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import io.temporal.worker.Worker;
import io.temporal.worker.WorkerFactory;
import io.temporal.worker.WorkerOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.CountDownLatch;
import org.libvirt.Connect;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The agent worker process: one per GPU host, polling task queue host-NAME. */
public final class AgentMain {
  private static final Logger LOG = LoggerFactory.getLogger(AgentMain.class);

  private AgentMain() {}

  public static void main(String[] args) throws Exception {
    AgentOptions opts;
    try {
      opts = AgentOptions.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.exit(2);
      return;
    }
    if (opts.simulateSpec() != null) {
      opts = prepareSimulatedHost(opts);
    }
    LibvirtHost libvirt = new LibvirtHost(opts.libvirtUri());
    HostConfig storage = hostConfig(opts);
    boolean sharedPool = opts.simulateSpec() != null
        ? HostSpecLoader.load(opts.simulateSpec()).storagePool().shared()
        : libvirt.sharedPoolType(storage.storagePool());
    HostRegistration registration = libvirt.registration(opts.hostName(), storage.storagePool(), sharedPool);

    WorkflowServiceStubs stubs = WorkflowServiceStubs.newServiceStubs(
        WorkflowServiceStubsOptions.newBuilder().setTarget(opts.temporalTarget()).build());
    WorkflowClient client = WorkflowClient.newInstance(stubs,
        WorkflowClientOptions.newBuilder().setNamespace(opts.namespace()).build());
    WorkerFactory factory = WorkerFactory.newInstance(client);
    Worker worker = factory.newWorker(HostActivities.taskQueue(opts.hostName()),
        WorkerOptions.newBuilder().setMaxConcurrentActivityTaskPollers(opts.taskPollers()).build());
    HookRunner discoveryRunner = new HookRunner(opts.discoveryTimeout(), opts.maxOutputBytes());
    worker.registerActivitiesImplementations(new HostDiscoveryActivities(opts.discoveryScript(), discoveryRunner,
        opts.discoveryInclude().and(DiscoveryOptIn.fromEnvironment())));
    HostInstanceActivitiesImpl instances = instanceActivities(opts, libvirt.connect());
    worker.registerActivitiesImplementations(instances);
    try {
      LOG.info("root disks in {}", instances.checkStoragePool());
    } catch (RuntimeException e) {
      LOG.warn("root disks cannot be made until the storage pool is there: {}", e.getMessage());
    }
    factory.start();
    LOG.info("agent worker for host {} polling {} ({})", opts.hostName(),
        HostActivities.taskQueue(opts.hostName()), opts.libvirtUri());
    if (opts.mdevBackend() == AgentOptions.MdevBackendKind.SYSFS) {
      LOG.info("mdevs are created and removed through sysfs under {}", opts.sysfsRoot());
    }

    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      factory.shutdown();
      libvirt.close();
      stubs.shutdown();
      stopped.countDown();
    }, "agent-shutdown"));

    register(client, registration);
    stopped.await();
  }

  /**
   * The instance activities of this host, with the mdev backend the options name; a simulated host also saves its
   * domains in its state directory, for its next start.
   */
  static HostInstanceActivitiesImpl instanceActivities(AgentOptions opts, Connect connect) {
    DomainJournal journal = opts.simulateSpec() != null ? new SavedDomains(opts.stateDir()) : DomainJournal.NONE;
    return new HostInstanceActivitiesImpl(connect, opts.hooksDir(),
        new HookRunner(opts.hookTimeout(), opts.maxOutputBytes()),
        HostInstanceActivitiesImpl.defaultStateDir(opts.stateDir()), mdevBackend(opts, connect), journal,
        hostConfig(opts));
  }

  /**
   * The root disks' pool and the NUMA topology: on a real host the pool the options name and the topology from
   * libvirt; on a simulated host its spec's pool, kept in the pool's directory ({@link SavedVolumes}), and its spec's
   * topology (the test driver reports no NUMA cells for a document read from a file).
   */
  static HostConfig hostConfig(AgentOptions opts) {
    if (opts.simulateSpec() == null) {
      return new HostConfig(opts.storagePool(), VolumeJournal.NONE, null);
    }
    HostSpec spec = HostSpecLoader.load(opts.simulateSpec());
    return new HostConfig(spec.storagePool().name(),
        new SavedVolumes(spec.storagePool().directory(opts.stateDir())),
        HostTopology.contiguous(spec.numaNodes(), spec.cpuCores() / spec.numaNodes()));
  }

  /** libvirt node devices unless the options ask for sysfs. */
  static MdevBackend mdevBackend(AgentOptions opts, Connect connect) {
    return switch (opts.mdevBackend()) {
      case LIBVIRT -> new LibvirtMdevBackend(connect);
      case SYSFS -> new SysfsMdevBackend(opts.sysfsRoot());
    };
  }

  /** Starts (or joins) the registration workflow, which records the host and runs a first discovery. */
  static void register(WorkflowClient client, HostRegistration registration) throws InterruptedException {
    WorkflowOptions options = WorkflowOptions.newBuilder()
        .setWorkflowId("register-" + registration.hostName())
        .setTaskQueue(InventoryActivities.CONTROL_PLANE_QUEUE)
        .setWorkflowIdReusePolicy(WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE)
        .setWorkflowIdConflictPolicy(WorkflowIdConflictPolicy.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING)
        .setTypedSearchAttributes(SearchAttributes.newBuilder().set(SearchAttributeKeys.HOST_NAME, registration.hostName()).build())
        .setStaticSummary("Register host " + registration.hostName() + " and discover its GPUs")
        .build();
    long delay = 500;
    for (int attempt = 1; ; attempt++) {
      try {
        WorkflowStub stub = client.newUntypedWorkflowStub(WorkflowTypes.HOST_REGISTRATION, options);
        stub.start(registration);
        LOG.info("registration of {} started ({})", registration.hostName(), options.getWorkflowId());
        return;
      } catch (RuntimeException e) {
        if (attempt >= 60) {
          throw e;
        }
        // the cause is the server's own words, e.g. "INVALID_ARGUMENT: Namespace default has no mapping defined
        // for search attribute HostName" (run service.jar temporal-setup) or "UNAVAILABLE: io exception"
        LOG.warn("cannot start registration of {} yet (attempt {}): {}; retrying in {} ms", registration.hostName(),
            attempt, cause(e), delay);
        Thread.sleep(delay);
        delay = Math.min(delay * 2, 5000);
      }
    }
  }

  /** The innermost cause's message (the gRPC status the server answered), with the outer message when it differs. */
  static String cause(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    String inner = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    if (inner.contains("search attribute") || inner.contains("Namespace") || inner.contains("namespace")) {
      inner += " (the namespace is not set up: run `java -jar service.jar temporal-setup config.yml`)";
    }
    return t == e ? inner : inner + " [" + e.getClass().getSimpleName() + ": " + e.getMessage() + "]";
  }

  /**
   * A simulated host: its libvirt test-driver document and its discovery hook are generated from
   * the spec into the state directory. The hook calls this jar's SimulatedDiscovery, which reads
   * the spec on every run, so editing the spec changes what the next discovery reports. The
   * document also holds the domains the host had when its agent stopped (SavedDomains), running
   * or shut off as they were, so a restarted agent finds them as on a real host.
   */
  static AgentOptions prepareSimulatedHost(AgentOptions opts) throws IOException {
    HostSpec spec = HostSpecLoader.load(opts.simulateSpec());
    if (opts.storagePool() != null && !opts.storagePool().equals(spec.storagePool().name())) {
      throw new IllegalArgumentException("--storage-pool " + opts.storagePool() + " is not the simulated host's pool "
          + spec.storagePool().name() + " (its spec's storagePool)");
    }
    Path state = opts.stateDir().toAbsolutePath();
    Files.createDirectories(state);
    String uri = SavedDomains.writeNodeDocument(spec, state);
    Files.createDirectories(opts.hooksDir());
    Path hook = opts.discoveryScript();
    if (!Files.exists(hook) || Files.readString(hook).contains(GENERATED_MARK)) {
      String java = ProcessHandle.current().info().command().orElse("java");
      String jar = Path.of(AgentMain.class.getProtectionDomain().getCodeSource().getLocation().getPath())
          .toAbsolutePath().toString();
      String script = "#!/bin/sh\n" + GENERATED_MARK + "\nexec '" + java + "' -Xmx64m -XX:TieredStopAtLevel=1"
          + " -XX:+UseSerialGC -cp '" + jar + "' io.gpucloud.agent.sim.SimulatedDiscovery '"
          + opts.simulateSpec().toAbsolutePath() + "'\n";
      Files.writeString(hook, script);
      Files.setPosixFilePermissions(hook, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
    return opts.withHost(opts.hostName() != null ? opts.hostName() : spec.name(), uri);
  }

  /** Marks a hook this agent wrote, so an operator's own hook in its place is never overwritten. */
  static final String GENERATED_MARK = "# generated by agent-worker --simulate; replace freely";
}
