package io.gpucloud.workflows;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpucloud.activities.instance.InstanceState;
import io.gpucloud.activities.instance.Operation;
import org.junit.jupiter.api.Test;

class RebootWorkflowTest extends LifecycleTestSupport {
  @Test
  void rebootsOnItsHost() {
    host("h1", "H1");
    Inst i = instance(InstanceState.Running, "h1", true);
    assertThat(run(RebootWorkflow.class, request(Operation.REBOOT))).isNull();
    assertThat(calls).containsExactly("reboot:H1", "finish:Running");
    assertThat(i.state).isEqualTo(InstanceState.Running);
  }

  @Test
  void aFailedRebootWithTheDomainRunningLeavesItRunning() {
    host("h1", "H1").fail("reboot", hookFailed("state hook onStart failed: exit 1")).xml = vm -> RUNNING_XML;
    Inst i = instance(InstanceState.Running, "h1", true);
    assertThat(run(RebootWorkflow.class, request(Operation.REBOOT))).isEqualTo("state hook onStart failed: exit 1");
    assertThat(calls).containsExactly("reboot:H1", "domainXml:H1", "finish:Running:state hook onStart failed: exit 1");
    assertThat(i.state).isEqualTo(InstanceState.Running);
  }

  @Test
  void aFailedRebootWithTheDomainDownLeavesItInError() {
    host("h1", "H1").fail("reboot", libvirtFailed("domain crashed")).xml = vm -> null;
    Inst i = instance(InstanceState.Running, "h1", true);
    assertThat(run(RebootWorkflow.class, request(Operation.REBOOT))).isEqualTo("domain crashed");
    assertThat(calls).containsExactly("reboot:H1", "domainXml:H1", "finish:Error:domain crashed");
    assertThat(i.state).isEqualTo(InstanceState.Error);
  }

  @Test
  void anUnreachableHostLeavesItRunning() {
    host("h1", "H1", true);
    Inst i = instance(InstanceState.Running, "h1", true);
    assertThat(run(RebootWorkflow.class, request(Operation.REBOOT))).isEqualTo("host H1 did not pick up the reboot within 1 s");
    assertThat(i.state).isEqualTo(InstanceState.Running);
  }
}
