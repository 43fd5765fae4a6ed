package io.gpucloud.controlplane.instance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gpucloud.activities.instance.InstanceActivities;
import io.gpucloud.activities.instance.InstanceSpec;
import io.gpucloud.activities.instance.InstanceState;
import io.gpucloud.activities.instance.Operation;
import io.gpucloud.activities.instance.OperationRequest;
import io.gpucloud.activities.instance.Reservation;
import io.gpucloud.controlplane.TestDatabase;
import io.gpucloud.controlplane.limits.Resource;
import io.gpucloud.controlplane.settings.DomainSettings;
import io.temporal.failure.ApplicationFailure;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.transaction.TransactionIsolationLevel;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The lifecycle's control-plane steps against the real schema on MariaDB. */
class LifecycleDatabaseTest {
  private Jdbi jdbi;
  private Fleet fleet;
  private InstanceActivitiesImpl deploy;
  private LifecycleActivitiesImpl lifecycle;

  @BeforeEach
  void setUp() {
    jdbi = TestDatabase.jdbi();
    fleet = new Fleet(jdbi);
    deploy = new InstanceActivitiesImpl(jdbi);
    lifecycle = new LifecycleActivitiesImpl(deploy);
  }

  private OperationRequest request(String id, Operation op, InstanceState from, String target, String offering) {
    return new OperationRequest(id, op, from, fleet.userId, false, target, offering);
  }

  /** Stop with the devices given back: what the Stop workflow does with gpu.detach.on.stop. */
  private void stopDetached(String id) {
    stop(id, true);
  }

  private void stopHolding(String id) {
    stop(id, false);
  }

  private void stop(String id, boolean detach) {
    String wf = "stop-" + id + "-" + System.nanoTime();
    fleet.request(id, "Running", "Stopping", "VM.STOP", wf);
    if (detach) {
      lifecycle.releaseDevices(id);
    }
    lifecycle.finish(request(id, Operation.STOP, InstanceState.Running, null, null), InstanceState.Stopped, wf, null);
  }

  /** The stopped instance's first start, Starting as the API leaves it; its workflow id. */
  private String requestStart(String id) {
    String wf = "start-" + id + "-1";
    fleet.request(id, "Stopped", "Starting", "VM.START", wf);
    return wf;
  }

  /** A migration of the stopped instance, Migrating as the API leaves it; its workflow id. */
  private String requestMigration(String id) {
    String wf = "migrate-" + id + "-2";
    fleet.request(id, "Stopped", "Migrating", "VM.MIGRATE", wf);
    return wf;
  }

  private static String failureType(Throwable t) {
    return ((ApplicationFailure) t).getType();
  }

  @Test
  void releasedDevicesAreFreeAndTheirGpusNoLongerCount() {
    String a = fleet.host("A", 4);
    String id = fleet.running(deploy, 2);
    assertThat(fleet.used(Resource.GPU)).isEqualTo(2);

    stopDetached(id);

    assertThat(fleet.state(id)).isEqualTo("Stopped");
    assertThat(fleet.devicesOf(id)).isEmpty();
    assertThat(fleet.free(a)).isEqualTo(4);
    assertThat(fleet.gpusReleased(id)).isTrue();
    assertThat(fleet.hostOf(id)).isEqualTo(a); // it keeps its host and its other quota
    assertThat(fleet.used(Resource.GPU)).isZero();
    assertThat(fleet.domainUsed(Resource.GPU)).isZero();
    assertThat(fleet.used(Resource.INSTANCE)).isEqualTo(1);
    assertThat(fleet.used(Resource.CPU)).isEqualTo(2);
    assertThat(fleet.used(Resource.MEMORY)).isEqualTo(1024);
    InstanceSpec spec = lifecycle.describe(id);
    assertThat(spec.hostName()).isEqualTo(fleet.name("A"));
    assertThat(spec.devices()).isEmpty();
  }

  @Test
  void startPrefersThePreviousHostOverABetterFit() {
    String a = fleet.host("A", 4);
    String id = fleet.running(deploy, 2);
    assertThat(fleet.hostOf(id)).isEqualTo(a);
    fleet.host("B", 2); // added later: the best fit for 2 GPUs
    stopDetached(id);
    String wf = requestStart(id);

    Reservation r = lifecycle.reserveForStart(id, a, List.of());

    assertThat(r.hostId()).isEqualTo(a);
    assertThat(r.spec().devices()).hasSize(2);
    assertThat(fleet.devicesOf(id)).containsExactly(a + ":Reserved", a + ":Reserved");
    assertThat(fleet.gpusReleased(id)).isFalse();
    assertThat(fleet.used(Resource.GPU)).isEqualTo(2);
    assertThat(fleet.used(Resource.INSTANCE)).isEqualTo(1);
    // a repeat returns the same reservation and reserves nothing more
    assertThat(lifecycle.reserveForStart(id, a, List.of()).hostId()).isEqualTo(a);
    assertThat(fleet.devicesOf(id)).hasSize(2);

    lifecycle.commitRunning(id, a, wf);
    lifecycle.commitRunning(id, a, wf);
    OperationRequest start = request(id, Operation.START, InstanceState.Stopped, null, null);
    lifecycle.finish(start, InstanceState.Running, wf, null);
    lifecycle.finish(start, InstanceState.Running, wf, null);
    assertThat(fleet.state(id)).isEqualTo("Running");
    assertThat(fleet.devicesOf(id)).containsExactly(a + ":Allocated", a + ":Allocated");
    assertThat(fleet.events(id)).filteredOn(e -> e.startsWith("VM.START")).containsExactly("VM.START Scheduled",
        "VM.START Completed");
    String user = jdbi.withHandle(h -> h.select("SELECT user_id FROM events WHERE workflow_id = ? AND state = 'Completed'",
        wf).mapTo(String.class).one());
    assertThat(user).isEqualTo(fleet.userId);
  }

  @Test
  void startWithoutAPreferenceIsPlannedLikeADeploy() {
    String a = fleet.host("A", 4);
    String id = fleet.running(deploy, 2);
    String b = fleet.host("B", 2);
    stopDetached(id);
    requestStart(id);

    // its own host is tried first even without a preferred host; excluded, the plan takes B
    assertThat(lifecycle.reserveForStart(id, null, List.of(a)).hostId()).isEqualTo(b);
  }

  @Test
  void aStartWithItsDevicesHeldNeedsItsHostToTakeInstances() {
    String a = fleet.host("A", 2);
    String id = fleet.running(deploy, 2);
    stopHolding(id);
    fleet.setResourceState(a, "Maintenance");
    requestStart(id);

    assertThat(lifecycle.reserveForStart(id, a, List.of()).reserved()).as("its host is in Maintenance").isFalse();
    assertThat(fleet.devicesOf(id)).as("still held").containsExactly(a + ":Allocated", a + ":Allocated");

    fleet.setResourceState(a, "Enabled");
    Reservation r = lifecycle.reserveForStart(id, a, List.of());
    assertThat(r.hostId()).isEqualTo(a);
    assertThat(r.spec().devices()).hasSize(2);
  }

  @Test
  void twoMigrationsThatBothSawRoomForTheirCpuCannotBothComplete() {
    String a = fleet.host("A", 2);
    String first = fleet.running(deploy, 1);
    String second = fleet.running(deploy, 1);
    String b = fleet.host("B", 2);
    // B has the GPUs for both but CPU for one (each instance: 2 cores x 1000 MHz)
    jdbi.useHandle(h -> h.execute("UPDATE hosts SET cpu_cores = 1, cpu_mhz = 3000 WHERE id = ?", b));
    stopHolding(first);
    stopHolding(second);
    requestMigration(first);
    requestMigration(second);
    // both reservations see B's CPU free: the instances still count on A until they complete
    assertThat(lifecycle.reserveForMigration(first, b).reserved()).isTrue();
    assertThat(lifecycle.reserveForMigration(second, b).reserved()).isTrue();

    lifecycle.completeMigration(first, a, b);
    assertThatThrownBy(() -> lifecycle.completeMigration(second, a, b))
        .satisfies(t -> assertThat(failureType(t)).isEqualTo(InstanceActivities.INSUFFICIENT_CAPACITY))
        .hasMessageContaining("no longer has room");
    assertThat(fleet.hostOf(first)).isEqualTo(b);
    assertThat(fleet.hostOf(second)).as("stays where it was").isEqualTo(a);
  }

  @Test
  void aStartThatEndsInErrorKeepsWhatItReservedForItsDomain() {
    String a = fleet.host("A", 2);
    String id = fleet.running(deploy, 2);
    stopDetached(id);
    String wf = requestStart(id);
    Reservation r = lifecycle.reserveForStart(id, a, List.of());
    assertThat(r.reserved()).isTrue();

    // the host's undo failed: a domain may still use the devices, so Error must not free them
    lifecycle.finish(request(id, Operation.START, InstanceState.Stopped, null, null), InstanceState.Error, wf,
        "onStart hook failed; undo failed: libvirt error");

    assertThat(fleet.state(id)).isEqualTo("Error");
    assertThat(fleet.devicesOf(id)).containsExactly(a + ":Reserved", a + ":Reserved");
    assertThat(fleet.free(a)).isZero();
    assertThat(fleet.used(Resource.GPU)).as("still counted while held").isEqualTo(2);
  }

  @Test
  void startLandsOnAnotherHostWhenItsDevicesWereTaken() {
    String a = fleet.host("A", 2);
    String id = fleet.running(deploy, 2);
    String b = fleet.host("B", 2);
    stopDetached(id);
    String other = fleet.running(deploy, 2, b); // takes A's devices meanwhile
    assertThat(fleet.hostOf(other)).isEqualTo(a);
    requestStart(id);

    Reservation r = lifecycle.reserveForStart(id, a, List.of());

    assertThat(r.hostId()).isEqualTo(b);
    assertThat(r.spec().hostName()).isEqualTo(fleet.name("B"));
    assertThat(fleet.hostOf(id)).isEqualTo(b);
    assertThat(fleet.devicesOf(id)).containsExactly(b + ":Reserved", b + ":Reserved");
    assertThat(fleet.used(Resource.GPU)).isEqualTo(4);
    assertThat(fleet.used(Resource.INSTANCE)).isEqualTo(2);
  }

  /** Puts the host on its own host-local pool (or on pool {@code pool}, shared when {@code shared}). */
  private void storage(String hostId, String pool, boolean shared) {
    jdbi.useHandle(h -> h.execute("UPDATE hosts SET storage_pool = ?, storage_shared = ? WHERE id = ?", pool,
        shared, hostId));
  }

  @Test
  void aDiskOnHostLocalStorageKeepsStartAndMigrationOnItsHost() {
    String a = fleet.host("A", 2);
    String id = fleet.running(deploy, 2);
    String b = fleet.host("B", 2);
    storage(a, "default", false);
    stopDetached(id);
    String other = fleet.running(deploy, 2, b); // takes A's devices meanwhile
    assertThat(fleet.hostOf(other)).isEqualTo(a);
    fleet.request(id, "Stopped", "Starting", "VM.START", "start-" + id + "-1");

    // B has room but cannot reach the disk: no start elsewhere, which would boot an empty new disk
    assertThat(lifecycle.reserveForStart(id, a, List.of()).reserved()).isFalse();
    assertThat(fleet.devicesOf(id)).isEmpty();

    fleet.setState(id, "Stopped");
    String why = jdbi.withHandle(h -> LifecycleActivitiesImpl.whyHostCannotTake(h, id, b));
    assertThat(why).startsWith("the instance's disk is on host-local storage (pool default of host "
        + fleet.name("A"));
    String noTarget = jdbi.withHandle(h -> LifecycleActivitiesImpl.whyNoHostReachesItsDisk(h, id));
    assertThat(noTarget).isEqualTo(why);
    fleet.request(id, "Stopped", "Migrating", "VM.MIGRATE", "migrate-" + id + "-1");
    assertThat(lifecycle.reserveForMigration(id, b).reserved()).isFalse();
    assertThat(lifecycle.reserveForMigration(id, null).reserved()).isFalse();
  }

  @Test
  void aMigrationStaysOnTheInstancesSharedPool() {
    String a = fleet.host("A", 2);
    String id = fleet.running(deploy, 2);
    String b = fleet.host("B", 2);
    String c = fleet.host("C", 4);
    storage(c, "other-nfs", true);
    stopHolding(id);
    fleet.request(id, "Stopped", "Migrating", "VM.MIGRATE", "migrate-" + id + "-1");

    String toC = jdbi.withHandle(h -> LifecycleActivitiesImpl.whyHostCannotTake(h, id, c));
    assertThat(toC).isEqualTo("host " + fleet.name("C") + " is not on the instance's shared storage pool pool-" + fleet.tag);
    String anyTarget = jdbi.withHandle(h -> LifecycleActivitiesImpl.whyNoHostReachesItsDisk(h, id));
    assertThat(anyTarget).isNull();
    // C has the room too, but not the disk
    assertThat(lifecycle.reserveForMigration(id, null).hostId()).isEqualTo(b);
  }

  @Test
  void startWithNoRoomReservesNothingAndStaysStopped() {
    String a = fleet.host("A", 2);
    String id = fleet.running(deploy, 2);
    stopDetached(id);
    fleet.running(deploy, 2);
    String wf = requestStart(id);

    assertThat(lifecycle.reserveForStart(id, a, List.of()).reserved()).isFalse();
    assertThat(fleet.devicesOf(id)).isEmpty();
    assertThat(fleet.gpusReleased(id)).isTrue();
    assertThat(fleet.used(Resource.GPU)).isEqualTo(2);

    OperationRequest start = request(id, Operation.START, InstanceState.Stopped, null, null);
    lifecycle.finish(start, InstanceState.Stopped, wf, "insufficient capacity: no host has 2 free GPUs of the profile");
    lifecycle.finish(start, InstanceState.Stopped, wf, "insufficient capacity: no host has 2 free GPUs of the profile");
    assertThat(fleet.state(id)).isEqualTo("Stopped");
    assertThat(fleet.events(id)).filteredOn(e -> e.startsWith("VM.START")).containsExactly("VM.START Scheduled",
        "VM.START Failed");
  }

  @Test
  void startWithDevicesHeldReturnsThemOnItsHost() {
    String a = fleet.host("A", 2);
    String id = fleet.running(deploy, 2);
    stopHolding(id);
    assertThat(fleet.devicesOf(id)).containsExactly(a + ":Allocated", a + ":Allocated");
    assertThat(fleet.used(Resource.GPU)).isEqualTo(2);
    requestStart(id);

    Reservation r = lifecycle.reserveForStart(id, a, List.of());

    assertThat(r.hostId()).isEqualTo(a);
    assertThat(r.spec().devices()).hasSize(2);
    assertThat(fleet.used(Resource.GPU)).isEqualTo(2);
    // its undo takes nothing it lives with
    lifecycle.releaseOnHost(id, a);
    assertThat(fleet.devicesOf(id)).containsExactly(a + ":Allocated", a + ":Allocated");
    assertThat(fleet.gpusReleased(id)).isFalse();
  }

  @Test
  void startOverTheGpuLimitFailsLimitExceeded() {
    fleet.host("A", 4);
    fleet.limitAccount(Resource.GPU, 2);
    String id = fleet.running(deploy, 2);
    stopDetached(id);
    fleet.running(deploy, 2); // fits: the stopped instance's GPUs no longer count
    assertThat(fleet.used(Resource.GPU)).isEqualTo(2);
    requestStart(id);

    assertThatThrownBy(() -> lifecycle.reserveForStart(id, null, List.of()))
        .isInstanceOf(ApplicationFailure.class)
        .satisfies(t -> assertThat(failureType(t)).isEqualTo(InstanceActivities.LIMIT_EXCEEDED));
    assertThat(fleet.devicesOf(id)).isEmpty();
    assertThat(fleet.gpusReleased(id)).isTrue();
    assertThat(fleet.used(Resource.GPU)).isEqualTo(2);
  }

  @Test
  void undoOfAStartReservationGivesTheDevicesAndTheGpuQuotaBack() {
    String a = fleet.host("A", 2);
    String id = fleet.running(deploy, 2);
    stopDetached(id);
    requestStart(id);
    assertThat(lifecycle.reserveForStart(id, a, List.of()).reserved()).isTrue();
    assertThat(fleet.used(Resource.GPU)).isEqualTo(2);

    lifecycle.releaseOnHost(id, a);
    lifecycle.releaseOnHost(id, a);

    assertThat(fleet.devicesOf(id)).isEmpty();
    assertThat(fleet.free(a)).isEqualTo(2);
    assertThat(fleet.gpusReleased(id)).isTrue();
    assertThat(fleet.used(Resource.GPU)).isZero();
  }

  @Test
  void migrationToAnExplicitTargetCountsOnceAndMovesHostAndDevices() {
    String a = fleet.host("A", 2);
    String id = fleet.running(deploy, 2);
    String b = fleet.host("B", 2);
    stopHolding(id);
    String wf = requestMigration(id);
    // limits it already fills exactly: counted a second time, the move would not fit
    fleet.limitAccount(Resource.GPU, 2);
    fleet.limitAccount(Resource.INSTANCE, 1);

    Reservation r = lifecycle.reserveForMigration(id, b);

    assertThat(r.hostId()).isEqualTo(b);
    assertThat(r.spec().devices()).hasSize(2);
    assertThat(r.spec().hostName()).isEqualTo(fleet.name("B"));
    assertThat(fleet.devicesOf(id)).containsExactlyInAnyOrder(a + ":Allocated", a + ":Allocated", b + ":Reserved",
        b + ":Reserved");
    assertThat(fleet.hostOf(id)).isEqualTo(a);
    // counted once while it holds devices on both hosts
    assertThat(fleet.used(Resource.GPU)).isEqualTo(2);
    assertThat(fleet.used(Resource.INSTANCE)).isEqualTo(1);
    assertThat(fleet.used(Resource.CPU)).isEqualTo(2);
    assertThat(lifecycle.reserveForMigration(id, b).hostId()).isEqualTo(b); // a repeat
    assertThat(fleet.devicesOf(id)).hasSize(4);

    lifecycle.completeMigration(id, a, b);
    lifecycle.completeMigration(id, a, b);
    lifecycle.finish(request(id, Operation.MIGRATE, InstanceState.Stopped, b, null), InstanceState.Stopped, wf, null);

    assertThat(fleet.hostOf(id)).isEqualTo(b);
    assertThat(fleet.state(id)).isEqualTo("Stopped");
    assertThat(fleet.devicesOf(id)).containsExactly(b + ":Allocated", b + ":Allocated");
    assertThat(fleet.free(a)).isEqualTo(2);
    assertThat(fleet.used(Resource.GPU)).isEqualTo(2);
    InstanceSpec spec = lifecycle.describe(id);
    assertThat(spec.hostName()).isEqualTo(fleet.name("B"));
    assertThat(spec.devices()).hasSize(2);
  }

  @Test
  void migrationWithoutTargetTakesTheBestOtherHost() {
    String a = fleet.host("A", 4);
    String id = fleet.running(deploy, 2);
    assertThat(fleet.hostOf(id)).isEqualTo(a);
    String b = fleet.host("B", 3);
    stopHolding(id);
    requestMigration(id);

    Reservation r = lifecycle.reserveForMigration(id, null);

    assertThat(r.hostId()).isEqualTo(b);
    assertThat(lifecycle.reserveForMigration(id, null).hostId()).isEqualTo(b); // a repeat
    assertThat(fleet.devicesOf(id)).filteredOn(d -> d.startsWith(b)).hasSize(2);
    // its undo frees the target, not the source
    lifecycle.releaseOnHost(id, b);
    assertThat(fleet.devicesOf(id)).containsExactly(a + ":Allocated", a + ":Allocated");
    assertThat(fleet.free(b)).isEqualTo(3);
    assertThat(fleet.used(Resource.GPU)).isEqualTo(2);
  }

  @Test
  void aFailedOperationLeavesNoPendingReservationBehind() {
    String a = fleet.host("A", 2);
    String id = fleet.running(deploy, 2);
    String b = fleet.host("B", 2);
    stopHolding(id);
    String wf = requestMigration(id);
    assertThat(lifecycle.reserveForMigration(id, b).reserved()).isTrue();

    // the workflow gives up without its undo: finishing still frees the target's reservation
    lifecycle.finish(request(id, Operation.MIGRATE, InstanceState.Stopped, b, null), InstanceState.Stopped, wf,
        "the target's agent did not answer");

    assertThat(fleet.devicesOf(id)).containsExactly(a + ":Allocated", a + ":Allocated");
    assertThat(fleet.free(b)).isEqualTo(2);
    assertThat(fleet.hostOf(id)).isEqualTo(a);
  }

  @Test
  void migrationRefusesItsOwnHostAndHostsThatCannotTakeIt() {
    String a = fleet.host("A", 2);
    String id = fleet.running(deploy, 2);
    String maintenance = fleet.host("M", 2);
    fleet.setResourceState(maintenance, "Maintenance");
    String down = fleet.host("D", 2);
    fleet.setHostState(down, "Down");
    String small = fleet.host("S", 1);
    String ok = fleet.host("OK", 2);
    String tiny = fleet.host("T", 2);
    jdbi.useHandle(h -> h.execute("UPDATE hosts SET memory_mb = 512 WHERE id = ?", tiny));
    stopHolding(id);
    requestMigration(id);

    assertThat(lifecycle.reserveForMigration(id, a).reserved()).isFalse();
    assertThat(lifecycle.reserveForMigration(id, maintenance).reserved()).isFalse();
    assertThat(lifecycle.reserveForMigration(id, down).reserved()).isFalse();
    assertThat(lifecycle.reserveForMigration(id, small).reserved()).isFalse();
    assertThat(lifecycle.reserveForMigration(id, tiny).reserved()).isFalse();
    assertThat(fleet.devicesOf(id)).containsExactly(a + ":Allocated", a + ":Allocated");

    jdbi.useHandle(h -> {
      assertThat(LifecycleActivitiesImpl.whyHostCannotTake(h, id, a)).isEqualTo("target is the instance's own host");
      assertThat(LifecycleActivitiesImpl.whyHostCannotTake(h, id, maintenance))
          .isEqualTo("host " + fleet.name("M") + " is in Maintenance");
      assertThat(LifecycleActivitiesImpl.whyHostCannotTake(h, id, down)).isEqualTo("host " + fleet.name("D") + " is Down");
      assertThat(LifecycleActivitiesImpl.whyHostCannotTake(h, id, small))
          .isEqualTo("host " + fleet.name("S") + " has no room for 2 GPUs of " + fleet.profileName + " (1 free)");
      assertThat(LifecycleActivitiesImpl.whyHostCannotTake(h, id, ok)).isNull();
      assertThat(LifecycleActivitiesImpl.whyHostCannotTake(h, id, tiny)).isEqualTo("host " + fleet.name("T")
          + " is short of CPU or memory for 2 cores of 1000 MHz and 1024 MB");
      assertThat(LifecycleActivitiesImpl.whyHostCannotTake(h, id, "no-such-host")).contains("does not exist");
    });
    fleet.setResourceState(ok, "PrepareForMaintenance");
    assertThat(lifecycle.reserveForMigration(id, null).reserved()).isFalse(); // no other host can take it
    jdbi.useHandle(h -> assertThat(LifecycleActivitiesImpl.whyHostCannotTake(h, id, ok)).contains("maintenance"));
  }

  @Test
  void migrationOfAnInstanceThatGaveItsDevicesBackMovesOnlyTheHost() {
    String a = fleet.host("A", 2);
    String id = fleet.running(deploy, 2);
    String b = fleet.host("B", 2);
    stopDetached(id);
    requestMigration(id);

    Reservation r = lifecycle.reserveForMigration(id, b);
    assertThat(r.hostId()).isEqualTo(b);
    assertThat(r.spec().devices()).isEmpty();
    lifecycle.completeMigration(id, a, b);

    assertThat(fleet.hostOf(id)).isEqualTo(b);
    assertThat(fleet.devicesOf(id)).isEmpty();
    assertThat(fleet.used(Resource.GPU)).isZero();
  }

  @Test
  void destroyReturnsEveryDeviceAndQuotaUnit() {
    String a = fleet.host("A", 4);
    String running = fleet.running(deploy, 2);
    String stopped = fleet.running(deploy, 1);
    stopHolding(stopped);
    String failed = fleet.running(deploy, 1);
    fleet.setState(failed, "Error");
    assertThat(fleet.used(Resource.GPU)).isEqualTo(4);
    assertThat(fleet.free(a)).isZero();

    for (String id : List.of(running, stopped, failed)) {
      String from = fleet.state(id);
      String wf = "destroy-" + id;
      fleet.request(id, from, "Destroying", "VM.DESTROY", wf);
      lifecycle.markDestroyed(id, wf);
      lifecycle.markDestroyed(id, wf);
      lifecycle.finish(request(id, Operation.DESTROY, InstanceState.valueOf(from), null, null),
          InstanceState.Destroyed, wf, null);
      assertThat(fleet.state(id)).isEqualTo("Destroyed");
      assertThat(fleet.hostOf(id)).isNull();
      assertThat(fleet.quotaCounted(id)).isFalse();
      assertThat(fleet.devicesOf(id)).isEmpty();
      assertThat(fleet.events(id)).filteredOn(e -> e.startsWith("VM.DESTROY"))
          .containsExactly("VM.DESTROY Scheduled", "VM.DESTROY Completed");
    }
    assertThat(fleet.free(a)).isEqualTo(4);
    for (Resource r : Resource.values()) {
      assertThat(fleet.used(r)).as(r.name()).isZero();
      assertThat(fleet.domainUsed(r)).as(r.name()).isZero();
    }
    // a Destroyed instance never counts, even with quota_counted left set
    jdbi.useHandle(h -> h.execute("UPDATE instances SET quota_counted = 1 WHERE id = ?", running));
    assertThat(fleet.used(Resource.GPU)).isZero();
  }

  @Test
  void finishWritesOneEventAndARepeatChangesNothing() {
    fleet.host("A", 2);
    String id = fleet.running(deploy, 1);
    String wf = "reboot-" + id + "-1";
    fleet.request(id, "Running", "Rebooting", "VM.REBOOT", wf);
    OperationRequest reboot = request(id, Operation.REBOOT, InstanceState.Running, null, null);

    lifecycle.finish(reboot, InstanceState.Error, wf, "the guest did not come back");
    lifecycle.finish(reboot, InstanceState.Error, wf, "the guest did not come back");
    lifecycle.finish(reboot, InstanceState.Running, wf, null); // late and wrong: no longer Rebooting

    assertThat(fleet.state(id)).isEqualTo("Error");
    String reason = jdbi.withHandle(h -> h.select("SELECT error_reason FROM instances WHERE id = ?", id)
        .mapTo(String.class).one());
    assertThat(reason).isEqualTo("the guest did not come back");
    assertThat(fleet.events(id)).containsExactly("VM.CREATE Completed", "VM.REBOOT Scheduled", "VM.REBOOT Failed");
    String event = jdbi.withHandle(h -> h.select("SELECT CONCAT_WS('|', user_id, account_id, host_id, workflow_id,"
        + " description) FROM events WHERE instance_id = ? AND state = 'Failed'", id).mapTo(String.class).one());
    assertThat(event).isEqualTo(String.join("|", fleet.userId, fleet.accountId, fleet.hostOf(id), wf,
        fleet.jdbi.withHandle(h -> h.select("SELECT vm_name FROM instances WHERE id = ?", id).mapTo(String.class).one())
            + " is Error: the guest did not come back"));
  }

  @Test
  void theStateChangeTriggerRecordsEachStateWithItsTime() throws Exception {
    String a = fleet.host("A", 2);
    String id = fleet.running(deploy, 1);
    stopHolding(id);
    String wf = requestStart(id);
    Thread.sleep(5);
    lifecycle.reserveForStart(id, a, List.of());
    lifecycle.commitRunning(id, a, wf);

    record Change(String state, String hostId, Timestamp at) {}
    List<Change> changes = jdbi.withHandle(h -> h.select("SELECT state, host_id, changed_at FROM instance_state_changes"
            + " WHERE instance_id = ? ORDER BY id", id)
        .map((rs, ctx) -> new Change(rs.getString(1), rs.getString(2), rs.getTimestamp(3))).list());

    // Creating (inserted), Creating on A (placed), Running, Stopping, Stopped, Starting, Running
    assertThat(changes).extracting(Change::state)
        .containsExactly("Creating", "Creating", "Running", "Stopping", "Stopped", "Starting", "Running");
    assertThat(changes.get(0).hostId()).isNull();
    assertThat(changes.get(1).hostId()).isEqualTo(a);
    for (int i = 1; i < changes.size(); i++) {
      assertThat(changes.get(i).at()).isAfterOrEqualTo(changes.get(i - 1).at());
    }
    assertThat(changes.get(6).at()).isAfter(changes.get(4).at()); // microseconds kept
    // a commit repeated writes no new change
    lifecycle.commitRunning(id, a, wf);
    int count = jdbi.withHandle(h -> h.select("SELECT COUNT(*) FROM instance_state_changes WHERE instance_id = ?", id)
        .mapTo(Integer.class).one());
    assertThat(count).isEqualTo(7);
  }

  @Test
  void scaleReleasesDevicesThatNoLongerFitAndChecksLimitsOnTheDifference() {
    String a = fleet.host("A", 4);
    String id = fleet.running(deploy, 1);
    stopHolding(id);
    String bigger = offering(8, 1000, 2048, 2);
    String huge = offering(8, 1000, 2048, 4);
    fleet.limitAccount(Resource.GPU, 3);
    fleet.request(id, "Stopped", "Scaling", "VM.UPGRADE", "scale-" + id + "-1");

    assertThatThrownBy(() -> lifecycle.applyOffering(id, huge))
        .satisfies(t -> assertThat(failureType(t)).isEqualTo(InstanceActivities.LIMIT_EXCEEDED));
    assertThat(fleet.devicesOf(id)).containsExactly(a + ":Allocated");

    lifecycle.applyOffering(id, bigger);
    lifecycle.applyOffering(id, bigger);

    assertThat(fleet.devicesOf(id)).isEmpty();
    assertThat(fleet.gpusReleased(id)).isTrue();
    assertThat(fleet.used(Resource.GPU)).isZero();
    assertThat(fleet.used(Resource.CPU)).isEqualTo(8);
    assertThat(fleet.used(Resource.MEMORY)).isEqualTo(2048);
    lifecycle.finish(request(id, Operation.SCALE, InstanceState.Stopped, null, bigger), InstanceState.Stopped,
        "scale-" + id + "-1", null);
    fleet.request(id, "Stopped", "Starting", "VM.START", "start-" + id + "-2");
    Reservation r = lifecycle.reserveForStart(id, a, List.of());
    assertThat(r.spec().devices()).hasSize(2);
    assertThat(r.spec().cpuCores()).isEqualTo(8);
    assertThat(fleet.used(Resource.GPU)).isEqualTo(2);
  }

  private String offering(int cores, int mhz, long memoryMb, int gpus) {
    String id = java.util.UUID.randomUUID().toString();
    jdbi.useHandle(h -> h.execute("INSERT INTO offerings (id, name, cpu_cores, cpu_mhz, memory_mb, vgpu_profile_id,"
        + " gpu_count) VALUES (?, ?, ?, ?, ?, ?, ?)", id, "o-" + id, cores, mhz, memoryMb, fleet.profileId, gpus));
    return id;
  }

  @Test
  void hostMaintenanceStatesAndTheGpuInstancesOnAHost() {
    String a = fleet.host("A", 4);
    String running = fleet.running(deploy, 1);
    String stopped = fleet.running(deploy, 1);
    stopHolding(stopped);
    String destroyed = fleet.running(deploy, 1);
    fleet.request(destroyed, "Running", "Destroying", "VM.DESTROY", "destroy-" + destroyed);
    lifecycle.markDestroyed(destroyed, "destroy-" + destroyed);

    assertThat(lifecycle.gpuInstancesOnHost(a)).containsExactlyInAnyOrder(running, stopped);

    assertThatThrownBy(() -> lifecycle.setHostResourceState(a, "Maintenance", "HOST.MAINTENANCE.DONE", "m-1"))
        .satisfies(t -> assertThat(failureType(t)).isEqualTo(InstanceActivities.INVALID_STATE));
    lifecycle.setHostResourceState(a, "PrepareForMaintenance", "HOST.MAINTENANCE.PREPARE", "m-1");
    lifecycle.setHostResourceState(a, "PrepareForMaintenance", "HOST.MAINTENANCE.PREPARE", "m-1");
    lifecycle.setHostResourceState(a, "Maintenance", "HOST.MAINTENANCE.DONE", "m-1");
    lifecycle.setHostResourceState(a, "Enabled", "HOST.MAINTENANCE.CANCEL", null);

    List<String> events = jdbi.withHandle(h -> h.select("SELECT CONCAT(type, ' ', state, ' ', COALESCE(workflow_id, '-'))"
        + " FROM events WHERE host_id = ? AND instance_id IS NULL ORDER BY created_at", a).mapTo(String.class).list());
    assertThat(events).containsExactly("HOST.MAINTENANCE.PREPARE Completed m-1", "HOST.MAINTENANCE.DONE Completed m-1",
        "HOST.MAINTENANCE.CANCEL Completed -");
  }

  @Test
  void detachOnStopIsTheDomainsEffectiveSetting() {
    fleet.host("A", 1);
    String id = fleet.running(deploy, 1);
    assertThat(lifecycle.detachOnStop(id)).isFalse(); // the global default
    jdbi.useHandle(h -> DomainSettings.put(h, fleet.rootDomainId, DomainSettings.GPU_DETACH_ON_STOP, "true"));
    assertThat(lifecycle.detachOnStop(id)).isTrue(); // inherited from the root
    jdbi.useHandle(h -> DomainSettings.put(h, fleet.domainId, DomainSettings.GPU_DETACH_ON_STOP, "false"));
    assertThat(lifecycle.detachOnStop(id)).isFalse(); // its own domain's
  }

  @Test
  void deployWritesItsCreateEventOnce() {
    String a = fleet.host("A", 1);
    String ok = fleet.instance(1);
    jdbi.useHandle(h -> h.execute("UPDATE instances SET workflow_id = ? WHERE id = ?", "deploy-" + ok, ok));
    Reservation r = deploy.reserve(ok, List.of());
    deploy.commit(ok, r.hostId());
    deploy.commit(ok, r.hostId());
    String failed = fleet.instance(1);
    deploy.fail(failed, "no room");
    deploy.fail(failed, "no room");

    assertThat(fleet.events(ok)).containsExactly("VM.CREATE Completed");
    assertThat(fleet.events(failed)).containsExactly("VM.CREATE Failed");
    String event = jdbi.withHandle(h -> h.select("SELECT CONCAT_WS('|', user_id, host_id, workflow_id) FROM events"
        + " WHERE instance_id = ?", ok).mapTo(String.class).one());
    assertThat(event).isEqualTo(fleet.userId + "|" + a + "|deploy-" + ok);
  }

  @Test
  void anOperationBeginsFromItsStableStatesOnlyAndOfTwoAtOnceExactlyOneBegins() throws Exception {
    fleet.host("A", 2);
    String id = fleet.running(deploy, 1);
    Optional<Operations.Begun> refused = jdbi.inTransaction(TransactionIsolationLevel.READ_COMMITTED,
        h -> Operations.begin(h, id, Operation.START, fleet.userId, false, null, null));
    assertThat(refused.orElseThrow().begun()).isFalse();
    assertThat(refused.get().state()).isEqualTo("Running");
    Optional<Operations.Begun> missing = jdbi.inTransaction(TransactionIsolationLevel.READ_COMMITTED,
        h -> Operations.begin(h, "no-such-instance", Operation.STOP, fleet.userId, false, null, null));
    assertThat(missing).isEmpty();

    ExecutorService pool = Executors.newFixedThreadPool(2);
    CountDownLatch go = new CountDownLatch(1);
    List<Future<Operations.Begun>> both = new ArrayList<>();
    for (Operation op : List.of(Operation.STOP, Operation.REBOOT)) {
      both.add(pool.submit(() -> {
        go.await();
        return jdbi.inTransaction(TransactionIsolationLevel.READ_COMMITTED,
            h -> Operations.begin(h, id, op, fleet.userId, false, null, null)).orElseThrow();
      }));
    }
    go.countDown();
    List<Operations.Begun> results = new ArrayList<>();
    for (Future<Operations.Begun> f : both) {
      results.add(f.get(30, TimeUnit.SECONDS));
    }
    pool.shutdown();

    assertThat(results).filteredOn(Operations.Begun::begun).hasSize(1);
    Operations.Begun begun = results.stream().filter(Operations.Begun::begun).findFirst().orElseThrow();
    Operations.Begun other = results.stream().filter(b -> !b.begun()).findFirst().orElseThrow();
    assertThat(other.state()).isEqualTo(begun.request().operation().transitional().name());
    assertThat(begun.workflowId()).isEqualTo(begun.request().operation().workflowId(id, 1));
    assertThat(begun.request().previousState()).isEqualTo(InstanceState.Running);
    assertThat(fleet.state(id)).isEqualTo(begun.state());
    assertThat(fleet.events(id)).containsExactly("VM.CREATE Completed",
        begun.request().operation().eventType() + " Scheduled");
  }

  @Test
  void aHostPreparingForMaintenanceTakesNoNewPlacement() {
    String a = fleet.host("A", 4);
    lifecycle.setHostResourceState(a, "PrepareForMaintenance", "HOST.MAINTENANCE.PREPARE", "m-1");
    String id = fleet.instance(1);
    assertThat(deploy.reserve(id, List.of()).reserved()).isFalse();
  }
}
