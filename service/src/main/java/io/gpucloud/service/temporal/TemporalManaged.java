package io.gpucloud.service.temporal;

import io.dropwizard.lifecycle.Managed;
import io.gpucloud.activities.inventory.InventoryActivities;
import io.gpucloud.controlplane.inventory.InventoryActivitiesImpl;
import io.gpucloud.controlplane.usage.UsageActivitiesImpl;
import io.gpucloud.service.config.TemporalConfig;
import io.gpucloud.service.config.UsageConfig;
import io.gpucloud.controlplane.instance.InstanceActivitiesImpl;
import io.gpucloud.controlplane.instance.LifecycleActivitiesImpl;
import io.gpucloud.controlplane.queue.Admission;
import io.gpucloud.controlplane.queue.AdmissionPass;
import io.gpucloud.service.workflows.DeploySignals;
import io.gpucloud.workflows.BatchWorkflowImpl;
import io.temporal.worker.WorkerFactoryOptions;
import java.time.Duration;
import io.gpucloud.workflows.DeployWorkflowImpl;
import io.gpucloud.workflows.DestroyWorkflowImpl;
import io.gpucloud.workflows.DiscoveryWorkflowImpl;
import io.gpucloud.workflows.DomainXmlWorkflowImpl;
import io.gpucloud.workflows.MaintenanceWorkflowImpl;
import io.gpucloud.workflows.MigrateWorkflowImpl;
import io.gpucloud.workflows.RebootWorkflowImpl;
import io.gpucloud.workflows.ScaleWorkflowImpl;
import io.gpucloud.workflows.StartWorkflowImpl;
import io.gpucloud.workflows.StopWorkflowImpl;
import io.gpucloud.workflows.UsageExportWorkflow;
import io.gpucloud.workflows.UsageExportWorkflowImpl;
import io.gpucloud.workflows.UsageWorkflowImpl;
import io.gpucloud.workflows.HostRegistrationWorkflowImpl;
import com.uber.m3.tally.RootScopeBuilder;
import com.uber.m3.tally.Scope;
import io.gpucloud.controlplane.metrics.ControlPlaneMetrics;
import io.temporal.client.WorkflowClient;
import io.temporal.common.reporter.MicrometerClientStatsReporter;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import io.temporal.worker.Worker;
import io.temporal.worker.WorkerFactory;
import io.temporal.worker.WorkerOptions;
import io.temporal.api.workflowservice.v1.GetSystemInfoRequest;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Temporal connection of the service: service stubs (lazy: the service starts even while the
 * Temporal frontend is still coming up), the WorkflowClient that resources use, and the
 * control-plane worker (task queue {@code control-plane}) that runs the database activities.
 */
public class TemporalManaged implements Managed {
  private static final Logger LOG = LoggerFactory.getLogger(TemporalManaged.class);

  private final TemporalConfig config;
  private final WorkflowServiceStubs stubs;
  private final WorkflowClient client;
  private final WorkerFactory factory;
  /**
   * The SDK's client and worker metrics (task slots, poll and schedule-to-start latencies...), reported
   * every 10 s into the service's Prometheus registry as temporal_*.
   */
  private final Scope metricsScope = new RootScopeBuilder()
      .reporter(new MicrometerClientStatsReporter(ControlPlaneMetrics.registry()))
      .reportEvery(com.uber.m3.util.Duration.ofSeconds(10));
  private ScheduledExecutorService retry;
  private boolean stopping;

  public TemporalManaged(TemporalConfig config, Jdbi jdbi, UsageConfig usage) {
    this.config = config;
    this.stubs = WorkflowServiceStubs.newServiceStubs(
        WorkflowServiceStubsOptions.newBuilder().setTarget(config.getTarget()).setMetricsScope(metricsScope).build());
    this.client = WorkflowClient.newInstance(
        stubs, WorkflowClientOptions.newBuilder().setNamespace(config.getNamespace()).build());
    // every control-plane activity that ends here may have freed capacity: the admission looks (coalesced)
    this.factory = WorkerFactory.newInstance(client, WorkerFactoryOptions.newBuilder()
        .setWorkerInterceptors(new AdmissionKicks(this::kickAdmission)).build());
    if (config.isWorkerEnabled()) {
      Worker worker = factory.newWorker(InventoryActivities.CONTROL_PLANE_QUEUE,
          WorkerOptions.newBuilder().setMaxConcurrentWorkflowTaskPollers(config.getWorkflowTaskPollers()).build());
      worker.registerWorkflowImplementationTypes(DiscoveryWorkflowImpl.class, HostRegistrationWorkflowImpl.class,
          DeployWorkflowImpl.class, DomainXmlWorkflowImpl.class, StopWorkflowImpl.class, StartWorkflowImpl.class,
          RebootWorkflowImpl.class, MigrateWorkflowImpl.class, ScaleWorkflowImpl.class, DestroyWorkflowImpl.class,
          MaintenanceWorkflowImpl.class, UsageWorkflowImpl.class, BatchWorkflowImpl.class);
      // the export needs the period length to end the missing periods it generates
      worker.registerWorkflowImplementationFactory(UsageExportWorkflow.class,
          () -> new UsageExportWorkflowImpl(usage.getPeriod()));
      InstanceActivitiesImpl deploy = new InstanceActivitiesImpl(jdbi, config.getConcurrentPlacements());
      // queued deploys: admitted through deploy's placement turns, woken by a signal
      this.admission = new Admission(jdbi, new AdmissionPass(jdbi, deploy.admitter(),
          instanceId -> DeploySignals.wake(client, instanceId)), ADMISSION_SAFETY_NET);
      // without waiting for the lock: a pass running elsewhere sees this enqueue's wake-up row itself, and a
      // burst of enqueues must not hold the pool's connections while they wait
      deploy.admitWith(() -> {
        try {
          admission.drain(Duration.ZERO, 1);
        } catch (RuntimeException e) {
          admission.kick(); // the request is Queued already: the background pass admits it
        }
      });
      // start and migration place through deploy's placement turns and plan cache
      worker.registerActivitiesImplementations(new InventoryActivitiesImpl(jdbi), deploy,
          new LifecycleActivitiesImpl(deploy),
          new UsageActivitiesImpl(jdbi, usage.periods(), Path.of(usage.getExportDir())),
          // a host step's pickup timeout: is the host alive, or was Temporal just away? (a local activity)
          new HostLivenessActivitiesImpl(stubs, config.getNamespace(), reachability));
    }
  }

  private final TemporalReachability reachability = TemporalReachability.process();
  /** How often each replica looks for admission wake-ups it was not told about (another replica's releases). */
  static final Duration ADMISSION_SAFETY_NET = Duration.ofSeconds(2);
  private Admission admission;

  /** Capacity may have freed in this process: the admission looks for wake-ups soon. */
  public void kickAdmission() {
    Admission a = admission;
    if (a != null) {
      a.kick();
    }
  }
  private ScheduledExecutorService probe;
  /** What the last set-up check found missing (empty: all there, or not checked yet). */
  private volatile List<String> setupProblems = List.of();

  /** Why the namespace does not suit the service (missing search attributes...), empty when it does. */
  public List<String> setupProblems() {
    return setupProblems;
  }

  /**
   * Checks that the namespace and the search attributes exist: false (and logged) when Temporal cannot be
   * asked; throws with {@link TemporalSetup#refusal} when something is missing.
   */
  private boolean checkSetup() {
    List<String> problems;
    try {
      problems = TemporalSetup.check(stubs, config.getNamespace());
    } catch (RuntimeException e) {
      LOG.warn("cannot check the set-up of namespace '{}' at {} yet: {}", config.getNamespace(), config.getTarget(),
          StartFailureLogging.rootCause(e));
      return false;
    }
    setupProblems = problems;
    if (!problems.isEmpty()) {
      throw new IllegalStateException(TemporalSetup.refusal(config.getTarget(), config.getNamespace(), problems));
    }
    return true;
  }

  public WorkflowServiceStubs stubs() {
    return stubs;
  }

  public WorkflowClient client() {
    return client;
  }

  public WorkerFactory workerFactory() {
    return factory;
  }

  public String namespace() {
    return config.getNamespace();
  }

  /**
   * Starts the worker. WorkerFactory.start() fails fast while the Temporal frontend is unreachable;
   * the service must still come up (the API answers, the "temporal" health check says what is
   * wrong), so the start is retried in the background until it succeeds.
   */
  @Override
  public void start() {
    startProbe();
    if (admission != null) {
      admission.start();
    }
    // a namespace without our search attributes refuses every start: refuse to run instead, saying what to do
    boolean checked = checkSetup();
    if (!config.isWorkerEnabled()) {
      return;
    }
    if (checked && tryStartWorker()) {
      return;
    }
    retry = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "temporal-worker-start");
      t.setDaemon(true);
      return t;
    });
    retry.scheduleWithFixedDelay(() -> {
      if (tryStartWorker()) {
        retry.shutdown();
      }
    }, 5, 5, TimeUnit.SECONDS);
  }

  /**
   * Asks the frontend every 2 s whether it answers, so that this process knows when Temporal was last away
   * ({@link TemporalReachability}): host liveness gives the pollers a grace after an outage.
   */
  private void startProbe() {
    probe = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "temporal-probe");
      t.setDaemon(true);
      return t;
    });
    probe.scheduleWithFixedDelay(() -> {
      try {
        stubs.blockingStub().withDeadlineAfter(2, TimeUnit.SECONDS)
            .getSystemInfo(GetSystemInfoRequest.getDefaultInstance());
        reachability.reachable();
      } catch (RuntimeException e) {
        reachability.unreachable();
      }
    }, 0, 2, TimeUnit.SECONDS);
  }

  private synchronized boolean tryStartWorker() {
    if (stopping) {
      return true;
    }
    try {
      if (!checkSetup()) {
        return false;
      }
    } catch (IllegalStateException e) {
      // Temporal came up after us without our search attributes: say so (the health check does too), keep checking
      LOG.error("{}", e.getMessage());
      return false;
    }
    try {
      factory.start();
      LOG.info("Temporal worker polling task queue '{}' in namespace '{}' at {}",
          InventoryActivities.CONTROL_PLANE_QUEUE, config.getNamespace(), config.getTarget());
      return true;
    } catch (RuntimeException e) {
      LOG.warn("Temporal at {} not reachable yet ({}); retrying the worker start every 5 s",
          config.getTarget(), e.getMessage());
      return false;
    }
  }

  @Override
  public void stop() throws InterruptedException {
    synchronized (this) {
      stopping = true;
    }
    if (retry != null) {
      retry.shutdownNow();
    }
    if (probe != null) {
      probe.shutdownNow();
    }
    if (admission != null) {
      admission.close();
    }
    LOG.info("stopping Temporal worker");
    factory.shutdown();
    factory.awaitTermination(20, TimeUnit.SECONDS);
    if (!factory.isTerminated()) {
      LOG.warn("Temporal worker did not stop within 20 s, forcing");
      factory.shutdownNow();
    }
    stubs.shutdown();
    if (!stubs.awaitTermination(5, TimeUnit.SECONDS)) {
      stubs.shutdownNow();
    }
    try {
      metricsScope.close(); // its last report, and its reporting thread stops
    } catch (com.uber.m3.tally.ScopeCloseException e) {
      LOG.warn("closing the Temporal metrics scope: {}", e.toString());
    }
  }
}
