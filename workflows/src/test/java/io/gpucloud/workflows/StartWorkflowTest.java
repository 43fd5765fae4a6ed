package io.gpucloud.workflows;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpucloud.activities.instance.InstanceState;
import io.gpucloud.activities.instance.Operation;
import java.util.Set;
import org.junit.jupiter.api.Test;

class StartWorkflowTest extends LifecycleTestSupport {
  /** Runs the start of the instance; null when it completed, else the message it failed with. */
  String start() {
    return run(StartWorkflow.class, request(Operation.START));
  }

  @Test
  void withDevicesHeldItStartsOnItsHost() {
    hostsH1AndH2("h2");
    Inst i = instance(InstanceState.Stopped, "h1", true);
    assertThat(start()).isNull();
    assertThat(calls).containsExactly("reserveForStart:h1[]", "setUp:H1", "commitRunning:h1", "finish:Running");
    assertThat(i.state).isEqualTo(InstanceState.Running);
    assertThat(i.hostId).isEqualTo("h1");
  }

  @Test
  void withDevicesReleasedItReservesAgainPreferringItsHost() {
    hostsH1AndH2("h1", "h2");
    Inst i = instance(InstanceState.Stopped, "h1", false);
    assertThat(start()).isNull();
    assertThat(calls).containsExactly("reserveForStart:h1[]", "setUp:H1", "commitRunning:h1", "finish:Running");
    assertThat(i.hostId).isEqualTo("h1");
    assertThat(i.held).isTrue();
  }

  @Test
  void withDevicesReleasedAndItsHostFullItStartsOnAnotherHost() {
    hostsH1AndH2("h2");
    Inst i = instance(InstanceState.Stopped, "h1", false);
    assertThat(start()).isNull();
    assertThat(calls).containsExactly("reserveForStart:h1[]", "setUp:H2", "commitRunning:h2", "finish:Running");
    assertThat(i.state).isEqualTo(InstanceState.Running);
    assertThat(i.hostId).isEqualTo("h2");
  }

  @Test
  void noRoomAnywhereLeavesItStoppedAndFails() {
    host("h1", "H1");
    Inst i = instance(InstanceState.Stopped, "h1", false);
    assertThat(start())
        .isEqualTo("insufficient capacity: no host can take the instance now");
    assertThat(calls).containsExactly("reserveForStart:h1[]", "releaseOnHost:null",
        "finish:Stopped:insufficient capacity: no host can take the instance now");
    assertThat(i.state).isEqualTo(InstanceState.Stopped);
    assertThat(i.held).isFalse();
  }

  @Test
  void aFailedSetUpOfANewReservationIsUndoneInReverseOrder() {
    host("h1", "H1").fail("setUp", hookFailed("transformer hook failed: exit 1: boom"));
    cp.room = Set.of("h1");
    Inst i = instance(InstanceState.Stopped, "h1", false);
    assertThat(start()).isEqualTo("transformer hook failed: exit 1: boom");
    assertThat(calls).containsExactly("reserveForStart:h1[]", "setUp:H1", "tearDown:H1", "releaseOnHost:null",
        "finish:Stopped:transformer hook failed: exit 1: boom");
    assertThat(i.state).isEqualTo(InstanceState.Stopped);
    assertThat(i.held).isFalse();
    assertThat(i.reservedOn).isNull();
  }

  @Test
  void aFailedSetUpWithDevicesHeldKeepsThem() {
    host("h1", "H1").fail("setUp", libvirtFailed("cannot define domain"));
    Inst i = instance(InstanceState.Stopped, "h1", true);
    assertThat(start()).isEqualTo("cannot define domain");
    assertThat(calls).containsExactly("reserveForStart:h1[]", "setUp:H1", "tearDown:H1",
        "finish:Stopped:cannot define domain");
    assertThat(i.held).isTrue();
  }

  @Test
  void aHostUndoThatFailsLeavesItInErrorWithoutFreeingTheDevices() {
    host("h1", "H1").fail("setUp", libvirtFailed("cannot start domain"))
        .fail("tearDown", libvirtFailed("cannot undefine domain"));
    cp.room = Set.of("h1");
    Inst i = instance(InstanceState.Stopped, "h1", false);
    assertThat(start())
        .isEqualTo("cannot start domain; undo failed: cannot undefine domain");
    assertThat(calls).containsExactly("reserveForStart:h1[]", "setUp:H1", "tearDown:H1",
        "finish:Error:cannot start domain; undo failed: cannot undefine domain");
    assertThat(i.state).isEqualTo(InstanceState.Error);
    assertThat(i.reservedOn).isEqualTo("h1");
  }

  @Test
  void aDeadHostIsUndoneAndTheNextHostTried() {
    deadH1AndH2("h1", "h2");
    Inst i = instance(InstanceState.Stopped, "h1", false);
    assertThat(start()).isNull();
    assertThat(calls).containsExactly("reserveForStart:h1[]", "releaseOnHost:null", "reserveForStart:h1[h1]",
        "setUp:H2", "commitRunning:h2", "finish:Running");
    assertThat(i.hostId).isEqualTo("h2");
    assertThat(i.state).isEqualTo(InstanceState.Running);
  }

  @Test
  void aDeadHostHoldingTheDevicesLeavesItStopped() {
    deadH1AndH2("h2");
    Inst i = instance(InstanceState.Stopped, "h1", true);
    assertThat(start())
        .isEqualTo("host H1 did not pick up the start within 1 s");
    assertThat(calls).containsExactly("reserveForStart:h1[]",
        "finish:Stopped:host H1 did not pick up the start within 1 s");
    assertThat(i.held).isTrue();
    assertThat(i.state).isEqualTo(InstanceState.Stopped);
  }

  @Test
  void aDeadHostAndNoOtherNamesTheDeadHost() {
    host("h1", "H1", true);
    cp.room = Set.of("h1");
    Inst i = instance(InstanceState.Stopped, "h1", false);
    assertThat(start()).isEqualTo(
        "insufficient capacity: no host can take the instance now (host H1 did not pick up the start within 1 s)");
    assertThat(i.state).isEqualTo(InstanceState.Stopped);
    assertThat(i.held).isFalse();
  }
}
