package io.gpucloud.workflows;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpucloud.activities.instance.InstanceState;
import io.gpucloud.activities.instance.Operation;
import io.gpucloud.activities.model.DeviceType;
import org.junit.jupiter.api.Test;

class ScaleWorkflowTest extends LifecycleTestSupport {
  @Test
  void appliesTheOfferingAndStaysStopped() {
    host("h1", "H1");
    Inst i = instance(InstanceState.Stopped, "h1", true);
    assertThat(run(ScaleWorkflow.class, request(Operation.SCALE, false, null, "offering-2"))).isNull();
    assertThat(calls).containsExactly("applyOffering:offering-2", "finish:Stopped");
    assertThat(i.state).isEqualTo(InstanceState.Stopped);
  }

  @Test
  void heldVgpusHaveTheirMdevsRemovedFirst() {
    host("h1", "H1");
    instance(ID, InstanceState.Stopped, "h1", true, DeviceType.MDEV);
    assertThat(run(ScaleWorkflow.class, request(Operation.SCALE, false, null, "offering-2"))).isNull();
    assertThat(calls).containsExactly("removeMdevs:H1", "applyOffering:offering-2", "finish:Stopped");
  }

  @Test
  void limitExceededLeavesItStoppedAndFails() {
    host("h1", "H1");
    cp.limitExceeded = true;
    Inst i = instance(InstanceState.Stopped, "h1", true);
    assertThat(run(ScaleWorkflow.class, request(Operation.SCALE, false, null, "offering-2")))
        .isEqualTo("GPU limit of account 'acme' exceeded");
    assertThat(calls).containsExactly("applyOffering:offering-2", "finish:Stopped:GPU limit of account 'acme' exceeded");
    assertThat(i.state).isEqualTo(InstanceState.Stopped);
  }

  @Test
  void anUnreachableHostChangesNothing() {
    host("h1", "H1", true);
    Inst i = instance(ID, InstanceState.Stopped, "h1", true, DeviceType.MDEV);
    assertThat(run(ScaleWorkflow.class, request(Operation.SCALE, false, null, "offering-2")))
        .isEqualTo("host H1 did not pick up the scale within 1 s");
    assertThat(calls).containsExactly("finish:Stopped:host H1 did not pick up the scale within 1 s");
    assertThat(i.state).isEqualTo(InstanceState.Stopped);
  }
}
