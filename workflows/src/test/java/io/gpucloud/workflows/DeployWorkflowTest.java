package io.gpucloud.workflows;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gpucloud.activities.host.HostActivities;
import io.gpucloud.activities.instance.AssignedDevice;
import io.gpucloud.activities.instance.HostInstanceActivities;
import io.gpucloud.activities.instance.InstanceActivities;
import io.gpucloud.activities.instance.InstanceSpec;
import io.gpucloud.activities.instance.QueueStatus;
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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The deploy saga in the Temporal test environment: the happy path and each compensation path. */
class DeployWorkflowTest {
  static final String ID = "inst-1";
  /** The host pickup timeout here: the test server waits it out in real time. */
  static final Duration PICKUP = Duration.ofSeconds(2);

  /** How long a host believed alive is tried again here (real time: the pickup waits are not skipped). */
  static final Duration OUTAGE_DEADLINE = Duration.ofSeconds(12);

  TestWorkflowEnvironment env;
  /** The host liveness check: dead (no poller) unless a test says Temporal was just unreachable. */
  final FakeLiveness liveness = new FakeLiveness();
  final List<String> calls = Collections.synchronizedList(new ArrayList<>());
  final FakeControlPlane cp = new FakeControlPlane();

  @BeforeEach
  void setUp() {
    env = TestWorkflowEnvironment.newInstance();
    env.registerSearchAttribute("HostName", IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD);
    env.registerSearchAttribute("InstanceUuid", IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD);
    env.registerSearchAttribute("Account", IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD);
    env.registerSearchAttribute("QueueState", IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD);
    var w = env.newWorker(InventoryActivities.CONTROL_PLANE_QUEUE);
    w.registerWorkflowImplementationFactory(DeployWorkflow.class, () -> new DeployWorkflowImpl(PICKUP, OUTAGE_DEADLINE));
    w.registerActivitiesImplementations(cp, liveness);
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
  void aQueuedDeployWaitsHoldingNothingAndRunsOnceAdmitted() {
    cp.queue = QueueStatus.WAITING;
    cp.deadlineMillis = env.currentTimeMillis() + java.time.Duration.ofHours(2).toMillis();
    cp.admittedOn = List.of(new Candidate("h2", "H2", 1));
    hostWorker("H2", new FakeHost("H2"));
    env.start();
    DeployWorkflow wf = stub();
    WorkflowClient.start(wf::deploy, ID);
    env.sleep(java.time.Duration.ofMinutes(30)); // waits: no timer ends it early, nothing is set up
    assertThat(calls).doesNotContain("setUp:H2").contains("enqueue");
    cp.queue = QueueStatus.ADMITTED;
    wf.admissionChanged();
    assertThat(WorkflowStub.fromTyped(wf).getResult(String.class)).isEqualTo("H2");
    assertThat(calls).containsSubsequence("reserve[]", "enqueue", "queueStatus:ADMITTED", "reserve[]", "setUp:H2",
        "commit:h2");
    assertThat(calls).noneMatch(c -> c.startsWith("fail:") || c.startsWith("expire:"));
  }

  @Test
  void aQueuedDeployThatOutwaitsMaxWaitFailsSayingSo() {
    cp.queue = QueueStatus.WAITING;
    cp.deadlineMillis = env.currentTimeMillis() + java.time.Duration.ofHours(2).toMillis();
    env.start();
    assertThatThrownBy(() -> stub().deploy(ID)).isInstanceOf(WorkflowFailedException.class)
        .rootCause().hasMessageContaining("no capacity within PT2H");
    assertThat(calls).contains("expire:no capacity within PT2H").noneMatch(c -> c.startsWith("setUp"));
  }

  @Test
  void aWithdrawnDeployEndsAtOnceWithNothingToUndo() {
    cp.queue = QueueStatus.WAITING;
    cp.deadlineMillis = env.currentTimeMillis() + java.time.Duration.ofHours(2).toMillis();
    env.start();
    DeployWorkflow wf = stub();
    WorkflowClient.start(wf::deploy, ID);
    env.sleep(java.time.Duration.ofMinutes(5));
    cp.queue = QueueStatus.GONE;
    wf.admissionChanged();
    assertThat(WorkflowStub.fromTyped(wf).getResult(String.class)).isNull();
    assertThat(calls).noneMatch(c -> c.startsWith("setUp") || c.startsWith("fail:") || c.startsWith("commit"));
  }

  @Test
  void aDeployThatDidNotAskToQueueStillFailsAtOnceWithoutRoom() {
    env.start();
    assertThatThrownBy(() -> stub().deploy(ID)).isInstanceOf(WorkflowFailedException.class)
        .rootCause().hasMessageContaining("insufficient capacity");
    assertThat(calls).containsExactly("reserve[]", "enqueue",
        "fail:insufficient capacity: no host can take the instance now");
  }

  @Test
  void happyPathReservesSetsUpAndCommits() {
    cp.hosts = List.of(new Candidate("h1", "H1", 4));
    hostWorker("H1", new FakeHost("H1"));
    env.start();
    assertThat(stub().deploy(ID)).isEqualTo("H1");
    assertThat(calls).containsExactly("reserve[]", "setUp:H1", "commit:h1");
  }

  @Test
  void failingHookUndoesEverythingInReverseOrderWithoutRetry() {
    cp.hosts = List.of(new Candidate("h1", "H1", 4));
    hostWorker("H1", new FakeHost("H1").failing(Integer.MAX_VALUE,
        ApplicationFailure.newNonRetryableFailure("transformer hook failed: exit 1: boom",
            HostInstanceActivities.HOOK_FAILED)));
    env.start();
    assertThat(failure(() -> stub().deploy(ID))).isEqualTo("transformer hook failed: exit 1: boom");
    assertThat(calls).containsExactly("reserve[]", "setUp:H1", "tearDown:H1", "release:any",
        "fail:transformer hook failed: exit 1: boom");
  }

  @Test
  void permanentHostFailureTearsDownAndReleasesTheReservation() {
    cp.hosts = List.of(new Candidate("h1", "H1", 4));
    hostWorker("H1", new FakeHost("H1").failing(Integer.MAX_VALUE, ApplicationFailure.newNonRetryableFailure(
        "PCI device 0000:00:01.0 does not exist on this host", HostInstanceActivities.LIBVIRT_FAILED)));
    env.start();
    assertThat(failure(() -> stub().deploy(ID))).isEqualTo("PCI device 0000:00:01.0 does not exist on this host");
    assertThat(calls).containsExactly("reserve[]", "setUp:H1", "tearDown:H1", "release:any",
        "fail:PCI device 0000:00:01.0 does not exist on this host");
  }

  @Test
  void transientHostFailureIsRetriedAndTheDeployCompletes() {
    cp.hosts = List.of(new Candidate("h1", "H1", 4));
    hostWorker("H1", new FakeHost("H1").failing(2,
        ApplicationFailure.newFailure("cannot start domain: libvirt busy", HostInstanceActivities.LIBVIRT_FAILED)));
    env.start();
    assertThat(stub().deploy(ID)).isEqualTo("H1");
    assertThat(calls).containsExactly("reserve[]", "setUp:H1", "setUp:H1", "setUp:H1", "commit:h1");
  }

  @Test
  void hostFailureThatOutlastsTheRetriesIsUndone() {
    cp.hosts = List.of(new Candidate("h1", "H1", 4));
    hostWorker("H1", new FakeHost("H1").failing(Integer.MAX_VALUE,
        ApplicationFailure.newFailure("cannot start domain: libvirt busy", HostInstanceActivities.LIBVIRT_FAILED)));
    env.start();
    assertThat(failure(() -> stub().deploy(ID))).isEqualTo("cannot start domain: libvirt busy");
    assertThat(calls.stream().filter(c -> c.equals("setUp:H1")).count()).isEqualTo(5);
    assertThat(calls).endsWith("tearDown:H1", "release:any", "fail:cannot start domain: libvirt busy");
    assertThat(calls).noneMatch(c -> c.startsWith("commit"));
  }

  @Test
  void deadHostWorkerMovesTheDeployToTheNextHost() {
    cp.hosts = List.of(new Candidate("h1", "H1", 2), new Candidate("h2", "H2", 4));
    hostWorker("H2", new FakeHost("H2")); // nobody polls host-H1
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
    assertThat(liveness.asked).as("the dead host's liveness was checked before moving on").contains("H1");
    assertThat(calls).containsSubsequence("reserve[]", "release:any", "reserve[h1]", "setUp:H2", "commit:h2");
    assertThat(calls).doesNotContain("commit:h1");
  }

  @Test
  void deadHostWorkerAndNoOtherHostFailsNamingTheDeadHost() {
    cp.hosts = List.of(new Candidate("h1", "H1", 2)); // nobody polls host-H1
    env.start();
    DeployWorkflow wf = stub();
    WorkflowClient.start(wf::deploy, ID);
    env.sleep(Duration.ofMinutes(3));
    assertThat(failure(() -> WorkflowStub.fromTyped(wf).getResult(String.class)))
        .isEqualTo("insufficient capacity: no host can take the instance now (host H1 did not pick up the deploy"
            + " within 2 s)");
    assertThat(calls).startsWith("reserve[]", "release:any", "reserve[h1]");
    assertThat(calls).noneMatch(c -> c.startsWith("commit"));
  }

  /**
   * A Temporal outage longer than the pickup timeout: the agent of H1 polls again only after the set-up's
   * schedule-to-start timeout fired (its pollers backing off). H1 is believed alive (Temporal was just
   * unreachable), so the set-up is tried again on H1 with the reservation kept, and the deploy ends there: no
   * false "insufficient capacity", no other host, nothing released.
   */
  @Test
  void pickupTimeoutDuringATemporalOutageRetriesOnTheSameHost() throws Exception {
    cp.hosts = List.of(new Candidate("h1", "H1", 2), new Candidate("h2", "H2", 4));
    hostWorker("H2", new FakeHost("H2"));
    liveness.alive = true; // Temporal was unreachable a moment ago
    env.start();
    DeployWorkflow wf = stub();
    WorkflowClient.start(wf::deploy, ID);
    // H1's agent comes back (its pollers done backing off) after more than one pickup timeout
    io.temporal.worker.WorkerFactory late = io.temporal.worker.WorkerFactory.newInstance(env.getWorkflowClient());
    late.newWorker(HostActivities.taskQueue("H1")).registerActivitiesImplementations(new FakeHost("H1"));
    Thread.sleep(PICKUP.toMillis() * 2 + 1000);
    late.start();
    try {
      assertThat(WorkflowStub.fromTyped(wf).getResult(String.class)).isEqualTo("H1");
    } finally {
      late.shutdownNow();
    }
    assertThat(liveness.asked).isNotEmpty().allMatch(h -> h.equals("H1"));
    assertThat(calls).containsExactly("reserve[]", "setUp:H1", "commit:h1");
  }

  /** A host believed alive that never picks the step up is given up after the outage deadline: the next host. */
  @Test
  void aHostBelievedAliveIsGivenUpAfterTheOutageDeadline() {
    cp.hosts = List.of(new Candidate("h1", "H1", 2), new Candidate("h2", "H2", 4));
    hostWorker("H2", new FakeHost("H2")); // nobody ever polls host-H1
    liveness.alive = true;
    env.start();
    DeployWorkflow wf = stub();
    WorkflowClient.start(wf::deploy, ID);
    assertThat(WorkflowStub.fromTyped(wf).getResult(String.class)).isEqualTo("H2");
    assertThat(liveness.asked.size()).isGreaterThanOrEqualTo((int) (OUTAGE_DEADLINE.dividedBy(PICKUP) / 2));
    assertThat(calls).containsSubsequence("reserve[]", "release:any", "reserve[h1]", "setUp:H2", "commit:h2");
  }

  @Test
  void transientDatabaseErrorsInControlPlaneStepsAreRetried() {
    cp.hosts = List.of(new Candidate("h1", "H1", 4));
    cp.transientFailures = 2; // e.g. an InnoDB deadlock, twice
    hostWorker("H1", new FakeHost("H1"));
    env.start();
    assertThat(stub().deploy(ID)).isEqualTo("H1");
    assertThat(calls).containsExactly("reserve[]", "reserve[]", "reserve[]", "setUp:H1", "commit:h1");
  }

  @Test
  void limitExceededFailsBeforeAnyHostStep() {
    cp.hosts = List.of(new Candidate("h1", "H1", 4));
    cp.limitExceeded = true;
    hostWorker("H1", new FakeHost("H1"));
    env.start();
    assertThat(failure(() -> stub().deploy(ID))).isEqualTo("GPU limit of account 'acme' exceeded");
    assertThat(calls).containsExactly("reserve[]", "release:any", "fail:GPU limit of account 'acme' exceeded");
  }

  @Test
  void noHostMeansInsufficientCapacity() {
    cp.hosts = List.of();
    env.start();
    assertThatThrownBy(() -> stub().deploy(ID)).isInstanceOf(WorkflowFailedException.class)
        .rootCause().hasMessageContaining("insufficient capacity");
    assertThat(calls).hasSize(3).first().isEqualTo("reserve[]");
    assertThat(calls.get(1)).isEqualTo("enqueue"); // it did not ask to queue: NOT_QUEUED, fails at once
    assertThat(calls.get(2)).startsWith("fail:insufficient capacity");
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

  /** Places on the first host of {@code hosts} that is not excluded, as ReserveOnBestHost does. */
  /** A host the fake control plane can place on. */
  record Candidate(String hostId, String hostName, int freeDevices) {}

  static class FakeLiveness implements io.gpucloud.activities.host.HostLivenessActivities {
    volatile boolean alive;
    final List<String> asked = Collections.synchronizedList(new ArrayList<>());

    @Override
    public Verdict hostLiveness(String hostName, int recentSeconds) {
      asked.add(hostName);
      return alive ? new Verdict(true, "Temporal was unreachable 3 s ago") : new Verdict(false, "no poller");
    }
  }

  class FakeControlPlane implements InstanceActivities {
    List<Candidate> hosts = List.of();
    boolean limitExceeded;
    int transientFailures;

    @Override
    public Reservation reserve(String instanceId, List<String> excluded) {
      calls.add("reserve" + excluded);
      if (transientFailures > 0) {
        transientFailures--;
        throw new IllegalStateException("Deadlock found when trying to get lock; try restarting transaction");
      }
      if (limitExceeded) {
        throw ApplicationFailure.newNonRetryableFailure("GPU limit of account 'acme' exceeded", LIMIT_EXCEEDED);
      }
      return hosts.stream().filter(h -> !excluded.contains(h.hostId())).findFirst()
          .map(h -> new Reservation(h.hostId(), spec(h.hostName())))
          .orElse(Reservation.none());
    }

    @Override
    public void release(String instanceId, String hostId) {
      calls.add("release:" + (hostId == null ? "any" : hostId));
    }

    @Override
    public void commit(String instanceId, String hostId) {
      calls.add("commit:" + hostId);
    }

    @Override
    public void fail(String instanceId, String reason) {
      calls.add("fail:" + reason);
    }

    /** Queue: null = the request did not ask to queue; else WAITING until a test admits or withdraws it. */
    volatile String queue;
    long deadlineMillis;

    @Override
    public QueueStatus enqueue(String instanceId) {
      calls.add("enqueue");
      return queue == null ? QueueStatus.of(QueueStatus.NOT_QUEUED) : status();
    }

    @Override
    public QueueStatus queueStatus(String instanceId) {
      calls.add("queueStatus:" + queue);
      return status();
    }

    private QueueStatus status() {
      if (QueueStatus.ADMITTED.equals(queue)) {
        // the admission placed it: the next reserve finds the reservation
        hosts = admittedOn;
      }
      return new QueueStatus(queue, deadlineMillis, "PT2H");
    }

    List<Candidate> admittedOn = List.of();

    @Override
    public boolean expireQueued(String instanceId, String reason) {
      calls.add("expire:" + reason);
      if (!QueueStatus.WAITING.equals(queue)) {
        return false;
      }
      queue = QueueStatus.FAILED;
      return true;
    }

    @Override
    public List<String> withdrawBatch(String batchId) {
      return List.of();
    }
  }

  class FakeHost implements HostInstanceActivities {
    final String name;
    int failures;
    ApplicationFailure failure;

    FakeHost(String name) {
      this.name = name;
    }

    /** The first {@code times} set-ups fail with {@code f}. */
    FakeHost failing(int times, ApplicationFailure f) {
      this.failures = times;
      this.failure = f;
      return this;
    }

    @Override
    public List<String> setUpDomain(InstanceSpec spec) {
      calls.add("setUp:" + name);
      if (failures > 0) {
        failures--;
        throw failure;
      }
      return List.of("prepared", "defined", "started");
    }

    @Override
    public void tearDownDomain(InstanceSpec spec) {
      calls.add("tearDown:" + name);
    }

    @Override
    public void stopDomain(InstanceSpec spec, boolean force, int graceSeconds) {
      calls.add("stop:" + name);
    }

    @Override
    public void rebootDomain(InstanceSpec spec) {
      calls.add("reboot:" + name);
    }

    @Override
    public void removeMdevs(InstanceSpec spec) {
      calls.add("removeMdevs:" + name);
    }

    @Override
    public void deleteRootDisk(InstanceSpec spec) {
      calls.add("deleteRootDisk:" + name);
    }

    @Override
    public String domainXml(String vmName) {
      return null;
    }
  }
}
