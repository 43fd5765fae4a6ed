package io.gpucloud.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import io.temporal.client.WorkflowServiceException;
import io.temporal.api.common.v1.WorkflowExecution;
import org.junit.jupiter.api.Test;

/** A failed registration start is logged with the server's own words, not only "cannot start registration yet". */
class RegistrationCauseTest {
  @Test
  void theServersAnswerAndTheFixAreNamed() {
    RuntimeException e = new WorkflowServiceException(WorkflowExecution.newBuilder().setWorkflowId("register-H1").build(),
        "HostRegistration", Status.INVALID_ARGUMENT
            .withDescription("Namespace default has no mapping defined for search attribute HostName").asRuntimeException());
    assertThat(AgentMain.cause(e))
        .startsWith("INVALID_ARGUMENT: Namespace default has no mapping defined for search attribute HostName")
        .contains("service.jar temporal-setup")
        .contains("WorkflowServiceException");
  }

  @Test
  void anUnreachableServerIsSaidSo() {
    assertThat(AgentMain.cause(Status.UNAVAILABLE.withDescription("io exception").asRuntimeException()))
        .isEqualTo("UNAVAILABLE: io exception");
  }
}
