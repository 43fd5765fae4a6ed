package io.gpucloud.workflows;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpucloud.activities.instance.InstanceState;
import io.gpucloud.activities.instance.Operation;
import io.gpucloud.activities.model.DeviceType;
import java.util.Set;
import org.junit.jupiter.api.Test;

class MigrateWorkflowTest extends LifecycleTestSupport {
  /**
   * Runs the migration of the instance to {@code targetHostId} (null: the best other host); null when it completed,
   * else the message it failed with.
   */
  String migrate(String targetHostId) {
    return run(MigrateWorkflow.class, request(Operation.MIGRATE, false, targetHostId, null));
  }

  @Test
  void toANamedHost() {
    hostsH1AndH2("h2");
    Inst i = instance(InstanceState.Stopped, "h1", true);
    assertThat(migrate("h2")).isNull();
    assertThat(calls).containsExactly("reserveForMigration:h2", "completeMigration:h1->h2", "finish:Stopped");
    assertThat(i.hostId).isEqualTo("h2");
    assertThat(i.state).isEqualTo(InstanceState.Stopped);
  }

  @Test
  void toTheBestOtherHostRemovingTheSourceMdevsBeforeTheDevicesMove() {
    hostsH1AndH2("h1", "h2");
    Inst i = instance(ID, InstanceState.Stopped, "h1", true, DeviceType.MDEV);
    assertThat(migrate(null)).isNull();
    assertThat(calls).containsExactly("reserveForMigration:null", "removeMdevs:H1", "completeMigration:h1->h2",
        "finish:Stopped");
    assertThat(i.hostId).isEqualTo("h2");
  }

  @Test
  void noOtherHostWithRoomLeavesItStoppedWhereItIs() {
    hostsH1AndH2("h1");
    Inst i = instance(InstanceState.Stopped, "h1", true);
    assertThat(migrate(null))
        .isEqualTo("insufficient capacity: no other host can take the instance now");
    assertThat(calls).containsExactly("reserveForMigration:null",
        "finish:Stopped:insufficient capacity: no other host can take the instance now");
    assertThat(i.hostId).isEqualTo("h1");
    assertThat(i.state).isEqualTo(InstanceState.Stopped);
  }

  @Test
  void aNamedTargetWithoutRoomIsRefused() {
    hostsH1AndH2();
    Inst i = instance(InstanceState.Stopped, "h1", true);
    assertThat(migrate("h2"))
        .isEqualTo("insufficient capacity: the target host cannot take the instance now");
    assertThat(calls).containsExactly("reserveForMigration:h2", "releaseOnHost:h2",
        "finish:Stopped:insufficient capacity: the target host cannot take the instance now");
    assertThat(i.hostId).isEqualTo("h1");
  }

  @Test
  void aSourceHostThatDoesNotPickUpUndoesTheTargetReservation() {
    deadH1AndH2("h2");
    Inst i = instance(ID, InstanceState.Stopped, "h1", true, DeviceType.MDEV);
    assertThat(migrate(null))
        .isEqualTo("host H1 did not pick up the migration within 1 s");
    assertThat(calls).containsExactly("reserveForMigration:null", "releaseOnHost:h2",
        "finish:Stopped:host H1 did not pick up the migration within 1 s");
    assertThat(i.hostId).isEqualTo("h1");
    assertThat(i.reservedOn).isNull();
  }

  @Test
  void aFailingMdevRemovalUndoesTheTargetReservation() {
    host("h1", "H1").fail("removeMdevs", libvirtFailed("mdev busy"));
    host("h2", "H2");
    cp.room = Set.of("h2");
    Inst i = instance(ID, InstanceState.Stopped, "h1", true, DeviceType.MDEV);
    assertThat(migrate("h2")).isEqualTo("mdev busy");
    assertThat(calls).containsExactly("reserveForMigration:h2", "removeMdevs:H1", "releaseOnHost:h2",
        "finish:Stopped:mdev busy");
    assertThat(i.hostId).isEqualTo("h1");
    assertThat(i.reservedOn).isNull();
  }

  @Test
  void anInstanceWhoseDevicesWereReleasedMovesWithoutTheSourceHost() {
    deadH1AndH2("h2");
    Inst i = instance(ID, InstanceState.Stopped, "h1", false, DeviceType.MDEV);
    assertThat(migrate(null)).isNull();
    assertThat(calls).containsExactly("reserveForMigration:null", "completeMigration:h1->h2", "finish:Stopped");
    assertThat(i.hostId).isEqualTo("h2");
  }
}
