package io.gpucloud.it;

import io.gpucloud.activities.SearchAttributeKeys;
import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityOptions;
import io.temporal.activity.LocalActivityOptions;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.common.RetryOptions;
import io.temporal.common.SearchAttributes;
import io.temporal.worker.Worker;
import io.temporal.worker.WorkerFactory;
import io.temporal.worker.WorkerOptions;
import io.temporal.workflow.Workflow;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A do-nothing workflow shaped like Deploy: a local activity (reserve), the HostName search attribute,
 * one activity on a host-like task queue (set up the domain), a local activity (commit); no database,
 * no libvirt. Started as the service starts Deploy (eager start from the client whose worker runs it,
 * the same search attributes and summary), with Deploy's activity options and the pollers the service
 * (16 workflow-task pollers) and an agent (10 activity pollers) keep open. Both its workers run in the
 * bench JVM against the stack's Temporal server; latency is from just before the start call to the end
 * of the commit local activity, as Deploy's is from its instance row to its Running commit.
 */
@WorkflowInterface
public interface BaselineWorkflow {
  String CONTROL_PLANE_QUEUE = "bench-baseline-control-plane";
  String HOST_QUEUE = "bench-baseline-host";

  @WorkflowMethod
  String deploy(String instanceId);

  @ActivityInterface
  interface ControlPlane {
    String reserve(String instanceId);

    void commit(String instanceId, String host);
  }

  @ActivityInterface
  interface Host {
    void setUpDomain(String instanceId);
  }

  class Impl implements BaselineWorkflow {
    // Deploy's options (Steps.controlPlane and Steps.onHost)
    private final ControlPlane controlPlane = Workflow.newLocalActivityStub(ControlPlane.class,
        LocalActivityOptions.newBuilder().setStartToCloseTimeout(Duration.ofSeconds(30))
            .setScheduleToCloseTimeout(Duration.ofMinutes(10))
            .setRetryOptions(RetryOptions.newBuilder().setInitialInterval(Duration.ofMillis(50))
                .setMaximumInterval(Duration.ofSeconds(5)).setMaximumAttempts(100).build())
            .build());
    private final Host host = Workflow.newActivityStub(Host.class, ActivityOptions.newBuilder()
        .setTaskQueue(HOST_QUEUE)
        .setScheduleToStartTimeout(Duration.ofSeconds(20))
        .setHeartbeatTimeout(Duration.ofSeconds(10))
        .setStartToCloseTimeout(Duration.ofSeconds(120))
        .setRetryOptions(RetryOptions.newBuilder().setMaximumAttempts(5).setMaximumInterval(Duration.ofSeconds(5)).build())
        .build());

    @Override
    public String deploy(String instanceId) {
      String hostName = controlPlane.reserve(instanceId);
      Workflow.upsertTypedSearchAttributes(SearchAttributeKeys.HOST_NAME.valueSet(hostName));
      host.setUpDomain(instanceId);
      controlPlane.commit(instanceId, hostName);
      return hostName;
    }
  }

  /** The baseline's workers and client, in this JVM. */
  final class Bench implements AutoCloseable {
    final WorkflowClient client;
    final WorkerFactory factory;
    final Map<String, Long> committed = new ConcurrentHashMap<>();

    private Bench(WorkflowClient client) {
      this.client = client;
      this.factory = WorkerFactory.newInstance(client);
    }

    static Bench start(WorkflowClient client) {
      Bench b = new Bench(client);
      Worker cp = b.factory.newWorker(CONTROL_PLANE_QUEUE,
          WorkerOptions.newBuilder().setMaxConcurrentWorkflowTaskPollers(16).build());
      cp.registerWorkflowImplementationTypes(Impl.class);
      cp.registerActivitiesImplementations(new ControlPlane() {
        @Override
        public String reserve(String instanceId) {
          return "bench-host";
        }

        @Override
        public void commit(String instanceId, String host) {
          b.committed.put(instanceId, System.nanoTime());
        }
      });
      Worker host = b.factory.newWorker(HOST_QUEUE,
          WorkerOptions.newBuilder().setMaxConcurrentActivityTaskPollers(10).build());
      host.registerActivitiesImplementations((Host) instanceId -> { });
      b.factory.start();
      return b;
    }

    /** {@code n} baseline workflows started at once; their latencies in ms (start call to commit). */
    List<Double> burst(int n) throws Exception {
      List<String> ids = new ArrayList<>();
      List<Long> started = LifecycleLatencyBench.parallel(n, i -> {
        String id = UUID.randomUUID().toString();
        synchronized (ids) {
          ids.add(id);
        }
        WorkflowOptions options = WorkflowOptions.newBuilder()
            .setWorkflowId("baseline-" + id)
            .setTaskQueue(CONTROL_PLANE_QUEUE)
            .setTypedSearchAttributes(SearchAttributes.newBuilder()
                .set(SearchAttributeKeys.INSTANCE_UUID, id).set(SearchAttributeKeys.ACCOUNT, "bench").build())
            .setStaticSummary("Baseline " + id)
            .setDisableEagerExecution(false)
            .build();
        BaselineWorkflow wf = client.newWorkflowStub(BaselineWorkflow.class, options);
        long t0 = System.nanoTime();
        WorkflowClient.start(wf::deploy, id);
        committedStart.put(id, t0);
        return t0;
      });
      Stack.await("baseline burst", Duration.ofMinutes(2),
          () -> ids.stream().allMatch(committed::containsKey), Duration.ofMillis(20));
      List<Double> ms = new ArrayList<>();
      for (String id : ids) {
        ms.add((committed.get(id) - committedStart.get(id)) / 1e6);
      }
      return started.isEmpty() ? List.of() : ms;
    }

    final Map<String, Long> committedStart = new ConcurrentHashMap<>();

    @Override
    public void close() {
      factory.shutdownNow();
    }
  }
}
