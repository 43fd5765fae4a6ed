package io.gpucloud.workflows;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gpucloud.activities.discovery.DiscoveredGpu;
import io.gpucloud.activities.discovery.DiscoveryReport;
import io.gpucloud.activities.discovery.FullPassthrough;
import io.gpucloud.activities.host.HostActivities;
import io.gpucloud.activities.host.HostRegistration;
import io.gpucloud.activities.inventory.InventoryActivities;
import io.gpucloud.activities.inventory.ReconcileResult;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.failure.ApplicationFailure;
import io.temporal.api.enums.v1.IndexedValueType;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class DiscoveryWorkflowTest {
  static final DiscoveryReport REPORT = new DiscoveryReport(List.of(new DiscoveredGpu("0000:01:00.0", "10de", "26b9",
      "NVIDIA", "L40S", "vfio-pci", null, "1", null, 0, 0, 0, new FullPassthrough(true, null, null), null, null, null,
      null, null, List.of(), List.of())));

  TestWorkflowEnvironment env;
  WorkflowClient client;
  final FakeInventory inventory = new FakeInventory();

  @BeforeEach
  void setUp() {
    env = TestWorkflowEnvironment.newInstance();
    env.registerSearchAttribute("HostName", IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD);
    client = env.getWorkflowClient();
    Worker cp = env.newWorker(InventoryActivities.CONTROL_PLANE_QUEUE);
    cp.registerWorkflowImplementationTypes(HostRegistrationWorkflowImpl.class);
    cp.registerWorkflowImplementationFactory(DiscoveryWorkflow.class,
        () -> new DiscoveryWorkflowImpl(java.time.Duration.ofSeconds(2)));
    cp.registerActivitiesImplementations(inventory);
  }

  @AfterEach
  void tearDown() {
    env.close();
  }

  DiscoveryWorkflow stub(String host) {
    return client.newWorkflowStub(DiscoveryWorkflow.class,
        WorkflowOptions.newBuilder().setWorkflowId("discover-" + host + "-t").setTaskQueue(InventoryActivities.CONTROL_PLANE_QUEUE).build());
  }

  @Test
  void validReportIsReconciledOnTheControlPlane() {
    env.newWorker(HostActivities.taskQueue("H1")).registerActivitiesImplementations((HostActivities) () -> REPORT);
    env.start();
    ReconcileResult r = stub("H1").discover("H1");
    assertThat(r.devicesReported()).isEqualTo(1);
    assertThat(inventory.reconciled).containsExactly("H1");
    assertThat(inventory.failures).isEmpty();
  }

  @Test
  void invalidOutputIsNotRetriedRecordedAndNeverReconciled() {
    AtomicInteger calls = new AtomicInteger();
    env.newWorker(HostActivities.taskQueue("H1")).registerActivitiesImplementations((HostActivities) () -> {
      calls.incrementAndGet();
      throw ApplicationFailure.newNonRetryableFailure("gpus[0].vendor_id: expected 4 hex digits",
          HostActivities.INVALID_DISCOVERY_OUTPUT);
    });
    env.start();
    assertThatThrownBy(() -> stub("H1").discover("H1")).isInstanceOf(WorkflowFailedException.class);
    assertThat(calls.get()).isEqualTo(1);
    assertThat(inventory.reconciled).isEmpty();
    assertThat(inventory.failures).singleElement().asString().contains("vendor_id");
  }

  @Test
  void deadHostWorkerTimesOutInsteadOfHanging() {
    env.start(); // nobody polls host-H9
    DiscoveryWorkflow wf = stub("H9");
    WorkflowClient.start(wf::discover, "H9");
    env.sleep(java.time.Duration.ofSeconds(61)); // past the (2 s in this test) schedule-to-start timeout
    assertThatThrownBy(() -> WorkflowStub.fromTyped(wf).getResult(ReconcileResult.class))
        .isInstanceOf(WorkflowFailedException.class);
    assertThat(inventory.reconciled).isEmpty();
    assertThat(inventory.failures).singleElement().asString().contains("timed out");
  }

  @Test
  void registrationRecordsTheHostAndStartsAFirstDiscovery() {
    env.newWorker(HostActivities.taskQueue("H1")).registerActivitiesImplementations((HostActivities) () -> REPORT);
    env.start();
    HostRegistrationWorkflow wf = client.newWorkflowStub(HostRegistrationWorkflow.class,
        WorkflowOptions.newBuilder().setWorkflowId("register-H1").setTaskQueue(InventoryActivities.CONTROL_PLANE_QUEUE).build());
    String id = wf.register(new HostRegistration("H1", "test:///x", 4, 8000, 8192, 1, "default", false));
    assertThat(id).isEqualTo("host-id-H1");
    assertThat(inventory.registered).containsExactly("H1");
    env.sleep(java.time.Duration.ofSeconds(5));
    assertThat(inventory.reconciled).containsExactly("H1");
  }

  static class FakeInventory implements InventoryActivities {
    final List<String> registered = new CopyOnWriteArrayList<>();
    final List<String> reconciled = new CopyOnWriteArrayList<>();
    final List<String> failures = new CopyOnWriteArrayList<>();

    @Override
    public String registerHost(HostRegistration registration) {
      registered.add(registration.hostName());
      return "host-id-" + registration.hostName();
    }

    @Override
    public ReconcileResult reconcile(String hostName, String workflowId, DiscoveryReport report) {
      reconciled.add(hostName);
      return new ReconcileResult("host-id-" + hostName, 0, 0, report.gpus().size(), 0, 0, 0, report.gpus().size());
    }

    @Override
    public void recordDiscoveryFailure(String hostName, String workflowId, String message) {
      failures.add(message);
    }
  }
}
