package io.gpucloud.workflows;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpucloud.activities.instance.InstanceState;
import io.gpucloud.activities.instance.Operation;
import io.gpucloud.activities.model.DeviceType;
import org.junit.jupiter.api.Test;

class StopWorkflowTest extends LifecycleTestSupport {
  @Test
  void withoutDetachTheStoppedInstanceKeepsItsDevices() {
    host("h1", "H1");
    Inst i = instance(InstanceState.Running, "h1", true);
    assertThat(run(StopWorkflow.class, request(Operation.STOP))).isNull();
    assertThat(calls).containsExactly("stop:H1:60s", "finish:Stopped");
    assertThat(i.state).isEqualTo(InstanceState.Stopped);
    assertThat(i.held).isTrue();
  }

  @Test
  void withDetachTheMdevsGoFirstThenTheDevices() {
    host("h1", "H1");
    cp.detach = true;
    Inst i = instance(ID, InstanceState.Running, "h1", true, DeviceType.MDEV);
    assertThat(run(StopWorkflow.class, request(Operation.STOP))).isNull();
    assertThat(calls).containsExactly("stop:H1:60s", "removeMdevs:H1", "releaseDevices", "finish:Stopped");
    assertThat(i.state).isEqualTo(InstanceState.Stopped);
    assertThat(i.held).isFalse();
  }

  @Test
  void forceDestroysAtOnce() {
    host("h1", "H1");
    instance(InstanceState.Running, "h1", true);
    assertThat(run(StopWorkflow.class, request(Operation.STOP, true, null, null))).isNull();
    assertThat(calls).containsExactly("stop:H1:force", "finish:Stopped");
  }

  @Test
  void aFailedStopWithTheDomainStillRunningLeavesItRunning() {
    host("h1", "H1").fail("stop", libvirtFailed("cannot shut down domain: timed out")).xml = vm -> RUNNING_XML;
    Inst i = instance(InstanceState.Running, "h1", true);
    assertThat(run(StopWorkflow.class, request(Operation.STOP))).isEqualTo("cannot shut down domain: timed out");
    assertThat(calls).containsExactly("stop:H1:60s", "domainXml:H1", "finish:Running:cannot shut down domain: timed out");
    assertThat(i.state).isEqualTo(InstanceState.Running);
    assertThat(i.held).isTrue();
  }

  @Test
  void aFailedStopWithTheDomainDownLeavesItInError() {
    cp.detach = true;
    host("h1", "H1").fail("stop", hookFailed("state hook onStop failed: exit 2")).xml = vm -> SHUT_OFF_XML;
    Inst i = instance(InstanceState.Running, "h1", true);
    assertThat(run(StopWorkflow.class, request(Operation.STOP))).isEqualTo("state hook onStop failed: exit 2");
    assertThat(calls).containsExactly("stop:H1:60s", "domainXml:H1", "finish:Error:state hook onStop failed: exit 2");
    assertThat(i.state).isEqualTo(InstanceState.Error);
    assertThat(i.held).as("devices are never freed by a failed stop").isTrue();
  }

  @Test
  void anUnreachableHostDidNothingAndTheInstanceStaysRunning() {
    cp.detach = true;
    host("h1", "H1", true);
    Inst i = instance(InstanceState.Running, "h1", true);
    assertThat(run(StopWorkflow.class, request(Operation.STOP))).isEqualTo("host H1 did not pick up the stop within 1 s");
    assertThat(calls).containsExactly("finish:Running:host H1 did not pick up the stop within 1 s");
    assertThat(i.state).isEqualTo(InstanceState.Running);
  }

  @Test
  void mdevsThatCannotBeRemovedKeepTheDevicesHeldByTheStoppedInstance() {
    cp.detach = true;
    host("h1", "H1").fail("removeMdevs", libvirtFailed("mdev busy"));
    Inst i = instance(ID, InstanceState.Running, "h1", true, DeviceType.MDEV);
    assertThat(run(StopWorkflow.class, request(Operation.STOP))).isEqualTo("stopped, but its devices stay held: mdev busy");
    assertThat(calls).containsExactly("stop:H1:60s", "removeMdevs:H1",
        "finish:Stopped:stopped, but its devices stay held: mdev busy");
    assertThat(i.state).isEqualTo(InstanceState.Stopped);
    assertThat(i.held).isTrue();
  }
}
