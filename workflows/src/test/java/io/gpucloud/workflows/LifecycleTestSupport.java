package io.gpucloud.workflows;

import io.gpucloud.activities.host.HostActivities;
import io.gpucloud.activities.instance.AssignedDevice;
import io.gpucloud.activities.instance.BegunOperation;
import io.gpucloud.activities.instance.HostInstanceActivities;
import io.gpucloud.activities.instance.InstanceActivities;
import io.gpucloud.activities.instance.InstanceSpec;
import io.gpucloud.activities.instance.InstanceState;
import io.gpucloud.activities.instance.LifecycleActivities;
import io.gpucloud.activities.instance.Operation;
import io.gpucloud.activities.instance.OperationRequest;
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
import io.temporal.worker.Worker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * The lifecycle workflows in the Temporal test environment, against a fake control plane that keeps
 * a small model of instances and hosts, and fake host agents; both record every call in order.
 */
abstract class LifecycleTestSupport {
  static final String ID = "inst-1";
  /** The host pickup timeout here: the test server waits it out in real time. */
  static final Duration PICKUP = Duration.ofSeconds(1);
  static final String RUNNING_XML = "<domain type='kvm' id='7'><name>i-inst-1</name></domain>";
  static final String SHUT_OFF_XML = "<domain type='kvm'><name>i-inst-1</name></domain>";

  TestWorkflowEnvironment env;
  Worker controlPlane;
  final List<String> calls = Collections.synchronizedList(new ArrayList<>());
  final FakeLifecycle cp = new FakeLifecycle();
  final Map<String, FakeHost> hosts = new LinkedHashMap<>();

  @BeforeEach
  void setUpEnvironment() {
    env = TestWorkflowEnvironment.newInstance();
    env.registerSearchAttribute("HostName", IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD);
    env.registerSearchAttribute("InstanceUuid", IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD);
    env.registerSearchAttribute("Account", IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD);
    env.registerSearchAttribute("QueueState", IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD);
    controlPlane = env.newWorker(InventoryActivities.CONTROL_PLANE_QUEUE);
    controlPlane.registerWorkflowImplementationFactory(StopWorkflow.class, () -> new StopWorkflowImpl(PICKUP));
    controlPlane.registerWorkflowImplementationFactory(StartWorkflow.class, () -> new StartWorkflowImpl(PICKUP));
    controlPlane.registerWorkflowImplementationFactory(RebootWorkflow.class, () -> new RebootWorkflowImpl(PICKUP));
    controlPlane.registerWorkflowImplementationFactory(MigrateWorkflow.class, () -> new MigrateWorkflowImpl(PICKUP));
    controlPlane.registerWorkflowImplementationFactory(ScaleWorkflow.class, () -> new ScaleWorkflowImpl(PICKUP));
    controlPlane.registerWorkflowImplementationFactory(DestroyWorkflow.class, () -> new DestroyWorkflowImpl(PICKUP));
    controlPlane.registerWorkflowImplementationTypes(MaintenanceWorkflowImpl.class);
    controlPlane.registerActivitiesImplementations(cp);
    // a host that does not pick a step up is dead here (no Temporal outage in these tests)
    controlPlane.registerActivitiesImplementations((io.gpucloud.activities.host.HostLivenessActivities)
        (host, recent) -> new io.gpucloud.activities.host.HostLivenessActivities.Verdict(false, "no poller"));
  }

  @AfterEach
  void tearDownEnvironment() {
    env.close();
  }

  /** A host the fake control plane can place on; its agent answers unless {@code dead}. */
  FakeHost host(String hostId, String name, boolean dead) {
    FakeHost h = new FakeHost(hostId, name);
    hosts.put(hostId, h);
    if (!dead) {
      env.newWorker(HostActivities.taskQueue(name)).registerActivitiesImplementations(h);
    }
    return h;
  }

  FakeHost host(String hostId, String name) {
    return host(hostId, name, false);
  }

  /** The answering hosts h1 (H1) and h2 (H2); {@code withRoom}: those with room for one more instance's devices. */
  void hostsH1AndH2(String... withRoom) {
    host("h1", "H1");
    host("h2", "H2");
    cp.room = Set.of(withRoom);
  }

  /** As {@link #hostsH1AndH2}, but H1's agent does not answer. */
  void deadH1AndH2(String... withRoom) {
    host("h1", "H1", true);
    host("h2", "H2");
    cp.room = Set.of(withRoom);
  }

  /** An instance in the fake control plane, on {@code hostId} (null: none), holding its devices or not. */
  Inst instance(String id, InstanceState state, String hostId, boolean held, DeviceType type) {
    Inst i = new Inst(id, state, hostId, held, type);
    cp.instances.put(id, i);
    return i;
  }

  Inst instance(InstanceState state, String hostId, boolean held) {
    return instance(ID, state, hostId, held, DeviceType.PCI);
  }

  /** The request the API starts the operation with, the instance already moved to its transitional state. */
  OperationRequest request(Operation op) {
    return request(op, false, null, null);
  }

  OperationRequest request(Operation op, boolean force, String targetHostId, String offeringId) {
    Inst i = cp.instances.get(ID);
    OperationRequest r = new OperationRequest(ID, op, i.state, "user-1", force, targetHostId, offeringId);
    i.state = op.transitional();
    return r;
  }

  <T> T stub(Class<T> type, String workflowId) {
    return env.getWorkflowClient().newWorkflowStub(type, WorkflowOptions.newBuilder()
        .setWorkflowId(workflowId).setTaskQueue(InventoryActivities.CONTROL_PLANE_QUEUE).build());
  }

  /**
   * Runs an operation's workflow to its end, in skipped time (so that dead hosts' pickup timeouts
   * pass); null when it completed, else the message it failed with.
   */
  String run(Class<? extends Object> type, OperationRequest request) {
    env.start();
    String workflowId = request.operation().workflowId(ID, 1);
    WorkflowStub stub = env.getWorkflowClient().newUntypedWorkflowStub(
        typeName(type), WorkflowOptions.newBuilder().setWorkflowId(workflowId)
            .setTaskQueue(InventoryActivities.CONTROL_PLANE_QUEUE).build());
    stub.start(request);
    env.sleep(Duration.ofMinutes(5));
    try {
      stub.getResult(Void.class);
      return null;
    } catch (WorkflowFailedException e) {
      Throwable t = e.getCause();
      return t instanceof ApplicationFailure a ? a.getOriginalMessage() : String.valueOf(t);
    }
  }

  static String typeName(Class<?> type) {
    return Map.<Class<?>, String>of(StopWorkflow.class, "Stop", StartWorkflow.class, "Start", RebootWorkflow.class,
        "Reboot", MigrateWorkflow.class, "Migrate", ScaleWorkflow.class, "Scale", DestroyWorkflow.class, "Destroy")
        .get(type);
  }

  static ApplicationFailure hookFailed(String message) {
    return ApplicationFailure.newNonRetryableFailure(message, HostInstanceActivities.HOOK_FAILED);
  }

  static ApplicationFailure libvirtFailed(String message) {
    return ApplicationFailure.newNonRetryableFailure(message, HostInstanceActivities.LIBVIRT_FAILED);
  }

  /** An instance as the fake control plane keeps it. */
  static final class Inst {
    final String id;
    final DeviceType type;
    volatile InstanceState state;
    volatile String hostId;
    volatile boolean held;
    /** A host where devices are reserved but not yet committed (start anew or migration target). */
    volatile String reservedOn;
    int opSeq;

    Inst(String id, InstanceState state, String hostId, boolean held, DeviceType type) {
      this.id = id;
      this.state = state;
      this.hostId = hostId;
      this.held = held;
      this.type = type;
    }
  }

  InstanceSpec spec(Inst i, String hostId, boolean withDevices) {
    String hostName = hostId == null ? null : hosts.get(hostId).name;
    AssignedDevice d = i.type == DeviceType.MDEV
        ? new AssignedDevice("d1", "6f2c3a2e-0000-4000-8000-000000000001", DeviceType.MDEV, "sim-8q", "0000:00:01.0", 0)
        : new AssignedDevice("d1", "0000:00:01.0", DeviceType.PCI, "passthrough", null, 0);
    return new InstanceSpec(i.id, "i-" + i.id, hostName, 2, 1000, 2048, false, null,
        withDevices ? List.of(d) : List.of());
  }

  class FakeLifecycle implements LifecycleActivities {
    final Map<String, Inst> instances = new HashMap<>();
    boolean detach;
    boolean limitExceeded;
    /** Runs after gpuInstancesOnHost has answered (another request racing the maintenance). */
    Runnable afterListing = () -> {};
    /** Hosts with room for one more instance's devices. */
    Set<String> room = Set.of();

    private Inst inst(String id) {
      return instances.get(id);
    }

    @Override
    public InstanceSpec describe(String instanceId) {
      Inst i = inst(instanceId);
      return spec(i, i.hostId, i.held);
    }

    @Override
    public Reservation locate(String instanceId) {
      Inst i = inst(instanceId);
      return new Reservation(i.hostId, spec(i, i.hostId, i.held));
    }

    @Override
    public BegunOperation beginOperation(OperationRequest request, String idempotencyKey) {
      Inst i = inst(request.instanceId());
      calls.add("begin:" + request.operation() + ":" + request.instanceId());
      if (!request.operation().from().contains(i.state)) {
        throw ApplicationFailure.newNonRetryableFailure("instance " + i.id + " is " + i.state,
            InstanceActivities.INVALID_STATE, i.state);
      }
      InstanceState previous = i.state;
      i.state = request.operation().transitional();
      i.opSeq++;
      return new BegunOperation(request.operation().workflowId(i.id, i.opSeq), new OperationRequest(i.id,
          request.operation(), previous, request.userId(), request.force(), request.targetHostId(),
          request.offeringId()), "acme");
    }

    @Override
    public boolean detachOnStop(String instanceId) {
      return detach;
    }

    @Override
    public void releaseDevices(String instanceId) {
      Inst i = inst(instanceId);
      calls.add("releaseDevices");
      if (i.state == InstanceState.Starting || i.state == InstanceState.Running) {
        // as the control plane: never while a domain may be using the devices
        throw ApplicationFailure.newNonRetryableFailure("instance " + instanceId + " is " + i.state
            + ": its domain may be using its devices", InstanceActivities.INVALID_STATE);
      }
      i.held = false;
      i.reservedOn = null;
    }

    private String pick(String preferred, String exceptHost, List<String> excluded) {
      List<String> order = new ArrayList<>();
      if (preferred != null) {
        order.add(preferred);
      }
      order.addAll(hosts.keySet());
      return order.stream().filter(h -> room.contains(h) && !excluded.contains(h) && !h.equals(exceptHost))
          .findFirst().orElse(null);
    }

    @Override
    public Reservation reserveForStart(String instanceId, String preferredHostId, List<String> excludedHostIds) {
      Inst i = inst(instanceId);
      calls.add("reserveForStart:" + preferredHostId + excludedHostIds);
      if (i.held) {
        return new Reservation(i.hostId, spec(i, i.hostId, true));
      }
      String h = pick(preferredHostId, null, excludedHostIds);
      if (h == null) {
        return Reservation.none();
      }
      i.reservedOn = h;
      i.hostId = h;
      return new Reservation(h, spec(i, h, true));
    }

    @Override
    public Reservation reserveForMigration(String instanceId, String targetHostId) {
      Inst i = inst(instanceId);
      calls.add("reserveForMigration:" + targetHostId);
      String h = targetHostId != null
          ? (room.contains(targetHostId) && !targetHostId.equals(i.hostId) ? targetHostId : null)
          : pick(null, i.hostId, List.of());
      if (h == null) {
        return Reservation.none();
      }
      i.reservedOn = h;
      return new Reservation(h, spec(i, h, true));
    }

    @Override
    public void completeMigration(String instanceId, String sourceHostId, String targetHostId) {
      Inst i = inst(instanceId);
      calls.add("completeMigration:" + sourceHostId + "->" + targetHostId);
      i.hostId = targetHostId;
      i.held = true;
      i.reservedOn = null;
    }

    @Override
    public void releaseOnHost(String instanceId, String hostId) {
      calls.add("releaseOnHost:" + hostId);
      Inst i = inst(instanceId);
      if (hostId == null || hostId.equals(i.reservedOn)) { // null: its pending reservation anywhere
        i.reservedOn = null;
      }
    }

    @Override
    public void applyOffering(String instanceId, String offeringId) {
      calls.add("applyOffering:" + offeringId);
      if (limitExceeded) {
        throw ApplicationFailure.newNonRetryableFailure("GPU limit of account 'acme' exceeded",
            InstanceActivities.LIMIT_EXCEEDED);
      }
    }

    @Override
    public void commitRunning(String instanceId, String hostId, String workflowId) {
      Inst i = inst(instanceId);
      calls.add("commitRunning:" + hostId);
      i.hostId = hostId;
      i.held = true;
      i.reservedOn = null;
      i.state = InstanceState.Running;
    }

    @Override
    public void finish(OperationRequest request, InstanceState to, String workflowId, String reason) {
      Inst i = inst(request.instanceId());
      calls.add("finish:" + to + (reason == null ? "" : ":" + reason));
      if (i.state == request.operation().transitional()) {
        i.state = to;
      }
    }

    @Override
    public void markDestroyed(String instanceId, String workflowId) {
      Inst i = inst(instanceId);
      calls.add("markDestroyed");
      i.state = InstanceState.Destroyed;
      i.held = false;
      i.hostId = null;
    }

    @Override
    public List<String> gpuInstancesOnHost(String hostId) {
      calls.add("gpuInstancesOnHost:" + hostId);
      List<String> ids = instances.values().stream()
          .filter(i -> hostId.equals(i.hostId) && Set.of(InstanceState.Running, InstanceState.Stopped).contains(i.state))
          .map(i -> i.id).sorted().toList();
      afterListing.run();
      return ids;
    }

    @Override
    public void setHostResourceState(String hostId, String resourceState, String eventType, String workflowId) {
      calls.add("hostState:" + hostId + ":" + resourceState + ":" + eventType);
    }
  }

  /** A host agent; each step can be made to fail ({@code fail(step, failure)}). */
  class FakeHost implements HostInstanceActivities {
    final String hostId;
    final String name;
    final Map<String, ApplicationFailure> failures = new HashMap<>();
    /** What domainXml answers. */
    Function<String, String> xml = vm -> null;

    FakeHost(String hostId, String name) {
      this.hostId = hostId;
      this.name = name;
    }

    FakeHost fail(String step, ApplicationFailure f) {
      failures.put(step, f);
      return this;
    }

    private void step(String step, String detail) {
      calls.add(step + ":" + name + detail);
      ApplicationFailure f = failures.get(step);
      if (f != null) {
        throw f;
      }
    }

    @Override
    public List<String> setUpDomain(InstanceSpec spec) {
      step("setUp", "");
      return List.of("prepared", "defined", "started");
    }

    @Override
    public void tearDownDomain(InstanceSpec spec) {
      step("tearDown", "");
    }

    @Override
    public void stopDomain(InstanceSpec spec, boolean force, int graceSeconds) {
      step("stop", force ? ":force" : ":" + graceSeconds + "s");
    }

    @Override
    public void rebootDomain(InstanceSpec spec) {
      step("reboot", "");
    }

    @Override
    public void removeMdevs(InstanceSpec spec) {
      step("removeMdevs", "");
    }

    @Override
    public void deleteRootDisk(InstanceSpec spec) {
      step("deleteRootDisk", "");
    }

    @Override
    public String domainXml(String vmName) {
      calls.add("domainXml:" + name);
      return xml.apply(vmName);
    }
  }
}
