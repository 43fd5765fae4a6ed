package io.gpucloud.workflows;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gpucloud.activities.host.HostActivities;
import io.gpucloud.activities.instance.AssignedDevice;
import io.gpucloud.activities.instance.HostCandidate;
import io.gpucloud.activities.instance.HostInstanceActivities;
import io.gpucloud.activities.instance.InstanceActivities;
import io.gpucloud.activities.instance.InstanceSpec;
import io.gpucloud.activities.instance.Reservation;
import io.gpucloud.activities.inventory.InventoryActivities;
import io.gpucloud.activities.model.DeviceType;
import io.temporal.api.enums.v1.IndexedValueType;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestWorkflowEnvironment;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The deploy saga in the Temporal test environment: the happy path and each compensation path. */
class DeployWorkflowTest {
  static final String ID = "inst-1";

  TestWorkflowEnvironment env;
  final List<String> calls = Collections.synchronizedList(new ArrayList<>());
  final FakeControlPlane cp = new FakeControlPlane();

  @BeforeEach
  void setUp() {
    env = TestWorkflowEnvironment.newInstance();
    env.registerSearchAttribute("HostName", IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD);
    env.registerSearchAttribute("InstanceUuid", IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD);
    env.registerSearchAttribute("Account", IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD);
    var w = env.newWorker(InventoryActivities.CONTROL_PLANE_QUEUE);
    w.registerWorkflowImplementationTypes(DeployWorkflowImpl.class);
    w.registerActivitiesImplementations(cp);
  }

  @AfterEach
  void tearDown() {
    env.close();
  }

  void hostWorker(String host, FakeHost impl) {
    env.newWorker(HostActivities.taskQueue(host)).registerActivitiesImplementations(impl);
  }

  DeployWorkflow stub() {
    return env.getWorkflowClient().newWorkflowStub(DeployWorkflow.class, WorkflowOptions.newBuilder()
        .setWorkflowId(DeployStarter.workflowId(ID)).setTaskQueue(InventoryActivities.CONTROL_PLANE_QUEUE).build());
  }

  @Test
  void happyPathReservesPreparesDefinesStartsAndCommits() {
    cp.hosts = List.of(new HostCandidate("h1", "H1", 4));
    hostWorker("H1", new FakeHost("H1", null));
    env.start();
    assertThat(stub().deploy(ID)).isEqualTo("H1");
    assertThat(calls).containsExactly("reserve:h1", "prepare:H1", "define:H1", "start:H1", "commit:h1");
  }

  @Test
  void failingTransformerHookUndoesEverythingInReverseOrder() {
    cp.hosts = List.of(new HostCandidate("h1", "H1", 4));
    hostWorker("H1", new FakeHost("H1", "define"));
    env.start();
    assertThat(failure(() -> stub().deploy(ID))).isEqualTo("transformer hook failed: exit 1: boom");
    assertThat(calls).containsExactly("reserve:h1", "prepare:H1", "define:H1", "undefine:H1", "releaseDevices:H1",
        "release:h1", "fail:transformer hook failed: exit 1: boom");
  }

  @Test
  void failingDevicePreparationReleasesTheReservation() {
    cp.hosts = List.of(new HostCandidate("h1", "H1", 4));
    hostWorker("H1", new FakeHost("H1", "prepare"));
    env.start();
    assertThatThrownBy(() -> stub().deploy(ID)).isInstanceOf(WorkflowFailedException.class);
    assertThat(calls).containsExactly("reserve:h1", "prepare:H1", "releaseDevices:H1", "release:h1",
        "fail:prepare failed on H1");
  }

  @Test
  void failingStartUndefinesTheDomain() {
    cp.hosts = List.of(new HostCandidate("h1", "H1", 4));
    hostWorker("H1", new FakeHost("H1", "start"));
    env.start();
    assertThatThrownBy(() -> stub().deploy(ID)).isInstanceOf(WorkflowFailedException.class);
    assertThat(calls).containsSubsequence("start:H1", "undefine:H1", "releaseDevices:H1", "release:h1");
    assertThat(calls).noneMatch(c -> c.startsWith("commit"));
  }

  @Test
  void deadHostWorkerMovesTheDeployToTheNextHost() {
    cp.hosts = List.of(new HostCandidate("h1", "H1", 2), new HostCandidate("h2", "H2", 4));
    hostWorker("H2", new FakeHost("H2", null)); // nobody polls host-H1
    env.start();
    DeployWorkflow wf = stub();
    WorkflowClient.start(wf::deploy, ID);
    env.sleep(Duration.ofMinutes(3)); // the schedule-to-start timeouts on H1, in skipped time
    String host;
    try {
      host = WorkflowStub.fromTyped(wf).getResult(String.class);
    } catch (WorkflowFailedException e) {
      throw new AssertionError("calls " + calls + ": " + failure(() -> {
        throw e;
      }), e);
    }
    assertThat(host).isEqualTo("H2");
    assertThat(calls).containsSubsequence("reserve:h1", "release:h1", "reserve:h2", "prepare:H2", "commit:h2");
    assertThat(calls).doesNotContain("commit:h1");
  }

  @Test
  void hostThatLostTheRaceIsSkipped() {
    cp.hosts = List.of(new HostCandidate("h1", "H1", 1), new HostCandidate("h2", "H2", 4));
    cp.full = Set.of("h1");
    hostWorker("H1", new FakeHost("H1", null));
    hostWorker("H2", new FakeHost("H2", null));
    env.start();
    assertThat(stub().deploy(ID)).isEqualTo("H2");
    assertThat(calls).containsExactly("reserve:h1", "reserve:h2", "prepare:H2", "define:H2", "start:H2",
        "commit:h2");
  }

  @Test
  void transientDatabaseErrorsInControlPlaneStepsAreRetried() {
    cp.hosts = List.of(new HostCandidate("h1", "H1", 4));
    cp.transientFailures = 2; // e.g. an InnoDB deadlock, twice
    hostWorker("H1", new FakeHost("H1", null));
    env.start();
    assertThat(stub().deploy(ID)).isEqualTo("H1");
    assertThat(calls).containsExactly("reserve:h1", "reserve:h1", "reserve:h1", "prepare:H1", "define:H1",
        "start:H1", "commit:h1");
  }

  @Test
  void limitExceededFailsBeforeAnyHostStep() {
    cp.hosts = List.of(new HostCandidate("h1", "H1", 4));
    cp.limitExceeded = true;
    hostWorker("H1", new FakeHost("H1", null));
    env.start();
    assertThat(failure(() -> stub().deploy(ID))).isEqualTo("GPU limit of account 'acme' exceeded");
    assertThat(calls).containsExactly("reserve:h1", "release:h1", "fail:GPU limit of account 'acme' exceeded");
  }

  @Test
  void noHostMeansInsufficientCapacity() {
    cp.hosts = List.of();
    env.start();
    assertThatThrownBy(() -> stub().deploy(ID)).isInstanceOf(WorkflowFailedException.class)
        .rootCause().hasMessageContaining("insufficient capacity");
    assertThat(calls).singleElement().asString().startsWith("fail:insufficient capacity");
  }

  /** The message the workflow failed with (the workflow's own ApplicationFailure). */
  static String failure(Runnable call) {
    try {
      call.run();
    } catch (WorkflowFailedException e) {
      Throwable t = e.getCause();
      return t instanceof ApplicationFailure a ? a.getOriginalMessage() : String.valueOf(t);
    }
    throw new AssertionError("the workflow did not fail");
  }

  static InstanceSpec spec(String host) {
    return new InstanceSpec(ID, "i-" + ID, host, 2, 1000, 2048, false, null,
        List.of(new AssignedDevice("d1", "0000:00:01.0", DeviceType.PCI, "passthrough", null, 0)));
  }

  class FakeControlPlane implements InstanceActivities {
    List<HostCandidate> hosts = List.of();
    Set<String> full = Set.of();
    boolean limitExceeded;
    int transientFailures;

    @Override
    public List<HostCandidate> planHosts(String instanceId, List<String> excluded) {
      return hosts.stream().filter(h -> !excluded.contains(h.hostId())).toList();
    }

    @Override
    public Reservation reserve(String instanceId, String hostId) {
      calls.add("reserve:" + hostId);
      if (transientFailures > 0) {
        transientFailures--;
        throw new IllegalStateException("Deadlock found when trying to get lock; try restarting transaction");
      }
      if (limitExceeded) {
        throw ApplicationFailure.newNonRetryableFailure("GPU limit of account 'acme' exceeded", LIMIT_EXCEEDED);
      }
      if (full.contains(hostId)) {
        return new Reservation(hostId, null);
      }
      String name = hosts.stream().filter(h -> h.hostId().equals(hostId)).findFirst().orElseThrow().hostName();
      return new Reservation(hostId, spec(name));
    }

    @Override
    public void release(String instanceId, String hostId) {
      calls.add("release:" + hostId);
    }

    @Override
    public void commit(String instanceId, String hostId) {
      calls.add("commit:" + hostId);
    }

    @Override
    public void fail(String instanceId, String reason) {
      calls.add("fail:" + reason);
    }
  }

  class FakeHost implements HostInstanceActivities {
    final String name;
    final String failAt;

    FakeHost(String name, String failAt) {
      this.name = name;
      this.failAt = failAt;
    }

    private void step(String s) {
      calls.add(s + ":" + name);
      if (s.equals(failAt)) {
        throw s.equals("define")
            ? ApplicationFailure.newNonRetryableFailure("transformer hook failed: exit 1: boom", HOOK_FAILED)
            : ApplicationFailure.newNonRetryableFailure(s + " failed on " + name, LIBVIRT_FAILED);
      }
    }

    @Override
    public void prepareDevices(InstanceSpec spec) {
      step("prepare");
    }

    @Override
    public void releaseDevices(InstanceSpec spec) {
      calls.add("releaseDevices:" + name);
    }

    @Override
    public String defineDomain(InstanceSpec spec) {
      step("define");
      return "<domain/>";
    }

    @Override
    public void startDomain(InstanceSpec spec) {
      step("start");
    }

    @Override
    public void undefineDomain(String vmName) {
      calls.add("undefine:" + name);
    }

    @Override
    public String domainXml(String vmName) {
      return null;
    }
  }
}
