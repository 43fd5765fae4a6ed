package io.gpucloud.service.workflows;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.Timestamp;
import io.gpucloud.service.ApiException;
import io.gpucloud.service.common.Causes;
import io.gpucloud.service.common.Iso;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.api.workflow.v1.WorkflowExecutionInfo;
import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionRequest;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowFailedException;
import io.temporal.failure.TemporalFailure;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Looks a workflow up in Temporal for operators: status, result or failure, Temporal UI link. */
public class WorkflowInspector {
  private static final String STATUS_PREFIX = "WORKFLOW_EXECUTION_STATUS_";
  private static final long RESULT_TIMEOUT_S = 10;

  private final WorkflowClient client;
  private final String namespace;
  private final String uiUrl;

  public WorkflowInspector(WorkflowClient client, String namespace, String temporalUiUrl) {
    this.client = client;
    this.namespace = namespace;
    this.uiUrl = temporalUiUrl;
  }

  public WorkflowView describe(String workflowId) {
    if (workflowId == null || workflowId.isBlank() || workflowId.length() > 1000) {
      throw ApiException.badRequest("workflowId must be 1 to 1000 characters");
    }
    WorkflowExecutionInfo info;
    try {
      info =
          client
              .getWorkflowServiceStubs()
              .blockingStub()
              .describeWorkflowExecution(
                  DescribeWorkflowExecutionRequest.newBuilder()
                      .setNamespace(namespace)
                      .setExecution(WorkflowExecution.newBuilder().setWorkflowId(workflowId))
                      .build())
              .getWorkflowExecutionInfo();
    } catch (StatusRuntimeException e) {
      if (e.getStatus().getCode() == Status.Code.NOT_FOUND) {
        throw ApiException.notFound("workflow " + workflowId + " not found");
      }
      if (e.getStatus().getCode() == Status.Code.INVALID_ARGUMENT) {
        throw ApiException.badRequest("workflowId: " + e.getStatus().getDescription());
      }
      throw new ApiException(503, "Temporal is not reachable: " + e.getStatus());
    }
    String runId = info.getExecution().getRunId();
    WorkflowExecutionStatus status = info.getStatus();
    JsonNode result = null;
    String failure = null;
    if (status == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_COMPLETED) {
      try {
        result = stub(workflowId, runId).getResult(RESULT_TIMEOUT_S, TimeUnit.SECONDS, JsonNode.class);
      } catch (TimeoutException | RuntimeException e) {
        failure = "result could not be read: " + Causes.rootMessage(e);
      }
    } else if (status != WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING
        && status != WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_CONTINUED_AS_NEW
        && status != WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_UNSPECIFIED) {
      try {
        stub(workflowId, runId).getResult(RESULT_TIMEOUT_S, TimeUnit.SECONDS, JsonNode.class);
      } catch (WorkflowFailedException e) {
        failure = failureMessage(e);
      } catch (TimeoutException | RuntimeException e) {
        failure = Causes.rootMessage(e);
      }
    }
    return new WorkflowView(
        workflowId,
        runId,
        info.getType().getName(),
        statusName(status),
        info.getTaskQueue(),
        info.hasStartTime() ? Iso.of(instant(info.getStartTime())) : null,
        info.hasCloseTime() ? Iso.of(instant(info.getCloseTime())) : null,
        info.getHistoryLength(),
        result,
        failure,
        uiUrl(uiUrl, namespace, workflowId, runId));
  }

  private io.temporal.client.WorkflowStub stub(String workflowId, String runId) {
    return client.newUntypedWorkflowStub(workflowId, Optional.of(runId), Optional.empty());
  }

  /** The message of the deepest cause (an activity's ApplicationFailure rather than "Activity ... failed"). */
  static String failureMessage(Throwable e) {
    if (Causes.deepest(e) instanceof TemporalFailure tf && tf.getOriginalMessage() != null
        && !tf.getOriginalMessage().isEmpty()) {
      return tf.getOriginalMessage();
    }
    return Causes.rootMessage(e);
  }

  static String statusName(WorkflowExecutionStatus status) {
    String n = status.name();
    return n.startsWith(STATUS_PREFIX) ? n.substring(STATUS_PREFIX.length()) : n;
  }

  static Instant instant(Timestamp t) {
    return Instant.ofEpochSecond(t.getSeconds(), t.getNanos());
  }

  /** {ui}/namespaces/{ns}/workflows/{workflowId}/{runId}, each segment URL-encoded; null without a UI url. */
  static String uiUrl(String base, String namespace, String workflowId, String runId) {
    if (base == null || base.isBlank()) {
      return null;
    }
    String b = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
    return b + "/namespaces/" + segment(namespace) + "/workflows/" + segment(workflowId) + "/" + segment(runId);
  }

  private static String segment(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }
}
