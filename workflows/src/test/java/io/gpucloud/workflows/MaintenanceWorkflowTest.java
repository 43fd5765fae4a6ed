package io.gpucloud.workflows;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpucloud.activities.instance.InstanceState;
import io.gpucloud.activities.inventory.InventoryActivities;
import io.gpucloud.activities.model.DeviceType;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.failure.ApplicationFailure;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Host maintenance with the real Stop, Migrate and Start workflows as its children. */
class MaintenanceWorkflowTest extends LifecycleTestSupport {
  static final String WF = "maintenance-h1-1";

  List<String> maintain(String mode) {
    env.start();
    MaintenanceWorkflow wf = env.getWorkflowClient().newWorkflowStub(MaintenanceWorkflow.class,
        WorkflowOptions.newBuilder().setWorkflowId(WF).setTaskQueue(InventoryActivities.CONTROL_PLANE_QUEUE).build());
    WorkflowClient.start(wf::run, "h1", mode);
    env.sleep(Duration.ofMinutes(5));
    @SuppressWarnings("unchecked")
    List<String> lines = WorkflowStub.fromTyped(wf).getResult(List.class);
    return lines;
  }

  /** Runs a maintenance that must fail; the message it fails with. */
  String failedMaintenance(String mode) {
    try {
      maintain(mode);
    } catch (WorkflowFailedException e) {
      return ((ApplicationFailure) e.getCause()).getOriginalMessage();
    }
    throw new AssertionError("maintenance did not fail");
  }

  void completed(String workflowId) {
    env.getWorkflowClient().newUntypedWorkflowStub(workflowId).getResult(Void.class);
  }

  @Test
  void migrateModeMovesRunningAndStoppedInstancesAndEndsInMaintenance() {
    hostsH1AndH2("h2");
    Inst a = instance("inst-a", InstanceState.Running, "h1", true, DeviceType.MDEV);
    Inst b = instance("inst-b", InstanceState.Stopped, "h1", true, DeviceType.PCI);
    assertThat(maintain("migrate")).containsExactly("inst-a: migrated to H2, Running",
        "inst-b: migrated to H2, stays Stopped");
    assertThat(a.state).isEqualTo(InstanceState.Running);
    assertThat(a.hostId).isEqualTo("h2");
    assertThat(b.state).isEqualTo(InstanceState.Stopped);
    assertThat(b.hostId).isEqualTo("h2");
    assertThat(calls).first().isEqualTo("hostState:h1:PrepareForMaintenance:HOST.MAINTENANCE.PREPARE");
    assertThat(calls).last().isEqualTo("hostState:h1:Maintenance:HOST.MAINTENANCE.DONE");
    assertThat(calls).containsSubsequence("begin:STOP:inst-a", "stop:H1:60s", "begin:MIGRATE:inst-a",
        "removeMdevs:H1", "completeMigration:h1->h2", "begin:START:inst-a", "setUp:H2", "commitRunning:h2");
    assertThat(calls).containsSubsequence("begin:STOP:inst-b", "begin:MIGRATE:inst-b", "completeMigration:h1->h2");
    // the children ran under the ids the operation counter gives them
    completed("stop-inst-a-1");
    completed("migrate-inst-a-2");
    completed("start-inst-a-3");
    completed("migrate-inst-b-1");
  }

  @Test
  void stopModeOnlyStops() {
    hostsH1AndH2("h2");
    Inst a = instance("inst-a", InstanceState.Running, "h1", true, DeviceType.PCI);
    Inst b = instance("inst-b", InstanceState.Stopped, "h1", true, DeviceType.PCI);
    assertThat(maintain("stop")).containsExactly("inst-a: stopped", "inst-b: left as it is (instance inst-b is Stopped)");
    assertThat(a.state).isEqualTo(InstanceState.Stopped);
    assertThat(a.hostId).isEqualTo("h1");
    assertThat(b.hostId).isEqualTo("h1");
    assertThat(calls).noneMatch(c -> c.startsWith("begin:MIGRATE") || c.startsWith("begin:START"));
    assertThat(calls).last().isEqualTo("hostState:h1:Maintenance:HOST.MAINTENANCE.DONE");
  }

  @Test
  void withNoRoomElsewhereARunningInstanceIsOnlyStopped() {
    hostsH1AndH2();
    Inst a = instance("inst-a", InstanceState.Running, "h1", true, DeviceType.PCI);
    assertThat(maintain(null)).containsExactly(
        "inst-a: stopped, not migrated: insufficient capacity: no other host can take the instance now");
    assertThat(a.state).isEqualTo(InstanceState.Stopped);
    assertThat(a.hostId).isEqualTo("h1");
    assertThat(calls).last().isEqualTo("hostState:h1:Maintenance:HOST.MAINTENANCE.DONE");
  }

  @Test
  void anInstanceThatKeepsRunningKeepsTheHostOutOfMaintenance() {
    host("h1", "H1").fail("stop", libvirtFailed("cannot shut down domain")).xml = vm -> RUNNING_XML;
    host("h2", "H2");
    cp.room = Set.of("h2");
    Inst a = instance("inst-a", InstanceState.Running, "h1", true, DeviceType.PCI);
    assertThat(failedMaintenance("migrate"))
        .isEqualTo("the host stays PrepareForMaintenance: inst-a: stop failed: cannot shut down domain");
    assertThat(a.state).isEqualTo(InstanceState.Running);
    assertThat(calls).doesNotContain("hostState:h1:Maintenance:HOST.MAINTENANCE.DONE");
  }

  @Test
  void anInstanceAnotherRequestTookMeanwhileKeepsTheHostOutOfMaintenance() {
    hostsH1AndH2("h2");
    Inst a = instance("inst-a", InstanceState.Stopped, "h1", true, DeviceType.PCI);
    Inst b = instance("inst-b", InstanceState.Stopped, "h1", true, DeviceType.PCI);
    cp.afterListing = () -> a.state = InstanceState.Starting; // a tenant's start, just before the maintenance's steps
    assertThat(failedMaintenance("stop"))
        .isEqualTo("the host stays PrepareForMaintenance: inst-a: left as it is (instance inst-a is Starting)");
    assertThat(b.state).isEqualTo(InstanceState.Stopped);
    assertThat(calls).doesNotContain("hostState:h1:Maintenance:HOST.MAINTENANCE.DONE");
  }

  @Test
  void anEmptyHostGoesStraightToMaintenance() {
    host("h1", "H1");
    assertThat(maintain("migrate")).isEmpty();
    assertThat(calls).containsExactly("hostState:h1:PrepareForMaintenance:HOST.MAINTENANCE.PREPARE",
        "gpuInstancesOnHost:h1", "hostState:h1:Maintenance:HOST.MAINTENANCE.DONE");
  }
}
