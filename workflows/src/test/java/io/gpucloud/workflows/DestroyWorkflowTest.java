package io.gpucloud.workflows;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpucloud.activities.instance.InstanceState;
import io.gpucloud.activities.instance.Operation;
import io.gpucloud.activities.model.DeviceType;
import org.junit.jupiter.api.Test;

class DestroyWorkflowTest extends LifecycleTestSupport {
  @Test
  void fromRunning() {
    host("h1", "H1");
    Inst i = instance(InstanceState.Running, "h1", true);
    assertThat(run(DestroyWorkflow.class, request(Operation.DESTROY))).isNull();
    assertThat(calls).containsExactly("tearDown:H1", "deleteRootDisk:H1", "markDestroyed");
    assertThat(i.state).isEqualTo(InstanceState.Destroyed);
    assertThat(i.held).isFalse();
  }

  @Test
  void fromStoppedWithVgpusHeld() {
    host("h1", "H1");
    Inst i = instance(ID, InstanceState.Stopped, "h1", true, DeviceType.MDEV);
    assertThat(run(DestroyWorkflow.class, request(Operation.DESTROY))).isNull();
    assertThat(calls).containsExactly("tearDown:H1", "removeMdevs:H1", "deleteRootDisk:H1", "markDestroyed");
    assertThat(i.state).isEqualTo(InstanceState.Destroyed);
  }

  @Test
  void fromErrorOnAHost() {
    host("h1", "H1");
    Inst i = instance(InstanceState.Error, "h1", true);
    assertThat(run(DestroyWorkflow.class, request(Operation.DESTROY))).isNull();
    assertThat(calls).containsExactly("tearDown:H1", "deleteRootDisk:H1", "markDestroyed");
    assertThat(i.state).isEqualTo(InstanceState.Destroyed);
  }

  @Test
  void fromErrorOnNoHost() {
    Inst i = instance(InstanceState.Error, null, false);
    assertThat(run(DestroyWorkflow.class, request(Operation.DESTROY))).isNull();
    assertThat(calls).containsExactly("markDestroyed");
    assertThat(i.state).isEqualTo(InstanceState.Destroyed);
  }

  @Test
  void anUnreachableHostLeavesItInErrorWithItsDevicesHeld() {
    host("h1", "H1", true);
    Inst i = instance(InstanceState.Running, "h1", true);
    assertThat(run(DestroyWorkflow.class, request(Operation.DESTROY)))
        .isEqualTo("host H1 did not pick up the destroy within 1 s; its devices stay held");
    assertThat(calls).containsExactly("finish:Error:host H1 did not pick up the destroy within 1 s; its devices stay held");
    assertThat(i.state).isEqualTo(InstanceState.Error);
    assertThat(i.held).isTrue();
  }

  @Test
  void aFailingHostStepLeavesItInErrorAndAnotherDestroyFinishesIt() {
    FakeHost h1 = host("h1", "H1").fail("tearDown", hookFailed("state hook onStop failed: exit 1"));
    Inst i = instance(InstanceState.Stopped, "h1", true);
    assertThat(run(DestroyWorkflow.class, request(Operation.DESTROY))).isEqualTo("state hook onStop failed: exit 1");
    assertThat(calls).containsExactly("tearDown:H1", "finish:Error:state hook onStop failed: exit 1");
    assertThat(i.state).isEqualTo(InstanceState.Error);
    assertThat(i.held).isTrue();

    // the operator destroys it again, under the same workflow id, which the starter allows after a failure
    h1.failures.clear();
    calls.clear();
    var request = request(Operation.DESTROY);
    OperationStarter.start(env.getWorkflowClient(), request, Operation.DESTROY.workflowId(ID, 0), "acme", "H1",
        "destroy again");
    io.temporal.client.WorkflowStub.fromTyped(env.getWorkflowClient().newWorkflowStub(DestroyWorkflow.class,
        Operation.DESTROY.workflowId(ID, 0))).getResult(Void.class);
    assertThat(calls).containsExactly("tearDown:H1", "deleteRootDisk:H1", "markDestroyed");
    assertThat(i.state).isEqualTo(InstanceState.Destroyed);
  }
}
