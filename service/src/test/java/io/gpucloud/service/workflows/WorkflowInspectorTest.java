package io.gpucloud.service.workflows;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Timestamp;
import io.gpucloud.service.common.Iso;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.failure.ApplicationFailure;
import org.junit.jupiter.api.Test;

class WorkflowInspectorTest {
  @Test
  void uiUrl() {
    assertThat(WorkflowInspector.uiUrl("http://localhost:8233/", "default", "discover-h1-20250101T000000.000Z", "r-1"))
        .isEqualTo("http://localhost:8233/namespaces/default/workflows/discover-h1-20250101T000000.000Z/r-1");
    assertThat(WorkflowInspector.uiUrl("http://ui", "ns", "a b/c", "r")).isEqualTo("http://ui/namespaces/ns/workflows/a%20b%2Fc/r");
    assertThat(WorkflowInspector.uiUrl(null, "ns", "w", "r")).isNull();
  }

  @Test
  void statusWithoutPrefix() {
    assertThat(WorkflowInspector.statusName(WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING)).isEqualTo("RUNNING");
    assertThat(WorkflowInspector.statusName(WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_TIMED_OUT)).isEqualTo("TIMED_OUT");
  }

  @Test
  void timestamps() {
    Timestamp t = Timestamp.newBuilder().setSeconds(1_700_000_000L).setNanos(123_000_000).build();
    assertThat(Iso.of(WorkflowInspector.instant(t))).isEqualTo("2023-11-14T22:13:20.123Z");
  }

  @Test
  void failureIsTheRootCauseMessage() {
    ApplicationFailure root = ApplicationFailure.newFailure("gpudiscovery.sh printed no JSON", "InvalidOutput");
    RuntimeException wrapper = new RuntimeException("Activity task failed", root);
    assertThat(WorkflowInspector.failureMessage(wrapper)).isEqualTo("gpudiscovery.sh printed no JSON");
  }
}
