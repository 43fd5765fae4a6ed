package io.gpucloud.workflows;

import io.gpucloud.activities.discovery.DiscoveryReport;
import io.gpucloud.activities.host.HostActivities;
import io.gpucloud.activities.inventory.InventoryActivities;
import io.gpucloud.activities.inventory.ReconcileResult;
import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.TimeoutFailure;
import io.temporal.workflow.Workflow;
import java.time.Duration;

/**
 * Discovery: the hook runs on the host's own queue; its validated report is reconciled on the
 * control plane. A failed or invalid discovery leaves the inventory untouched and becomes an
 * ERROR host event, and the workflow fails with the hook's message.
 */
public class DiscoveryWorkflowImpl implements DiscoveryWorkflow {
  /** How long a discovery may wait for the host's worker to pick it up before it counts as failed. */
  static final Duration HOST_PICKUP_TIMEOUT = Duration.ofSeconds(60);

  private final Duration hostPickupTimeout;

  public DiscoveryWorkflowImpl() {
    this(HOST_PICKUP_TIMEOUT);
  }

  /** A shorter pickup timeout for tests (the test server waits it out in real time). */
  DiscoveryWorkflowImpl(Duration hostPickupTimeout) {
    this.hostPickupTimeout = hostPickupTimeout;
  }

  private final InventoryActivities inventory =
      Workflow.newActivityStub(
          InventoryActivities.class,
          ActivityOptions.newBuilder()
              .setStartToCloseTimeout(Duration.ofSeconds(60))
              .setRetryOptions(RetryOptions.newBuilder().setMaximumInterval(Duration.ofSeconds(10)).build())
              .build());

  @Override
  public ReconcileResult discover(String hostName) {
    String workflowId = Workflow.getInfo().getWorkflowId();
    HostActivities host =
        Workflow.newActivityStub(
            HostActivities.class,
            ActivityOptions.newBuilder()
                .setTaskQueue(HostActivities.taskQueue(hostName))
                .setScheduleToStartTimeout(hostPickupTimeout)
                // the hook has its own (shorter) timeout; this bounds the whole attempt
                .setStartToCloseTimeout(Duration.ofMinutes(5))
                .setRetryOptions(
                    RetryOptions.newBuilder()
                        .setMaximumAttempts(3)
                        .setDoNotRetry(HostActivities.INVALID_DISCOVERY_OUTPUT)
                        .build())
                .build());
    DiscoveryReport report;
    try {
      report = host.discoverGpus();
    } catch (ActivityFailure e) {
      String message = describe(hostName, e);
      inventory.recordDiscoveryFailure(hostName, workflowId, message);
      throw ApplicationFailure.newNonRetryableFailure(message, "DiscoveryFailed");
    }
    return inventory.reconcile(hostName, workflowId, report);
  }

  private static String describe(String hostName, ActivityFailure e) {
    Throwable cause = e.getCause();
    if (cause instanceof TimeoutFailure) {
      return "discovery on host " + hostName + " timed out: no answer from its agent worker ("
          + ((TimeoutFailure) cause).getTimeoutType() + ")";
    }
    if (cause instanceof ApplicationFailure app) {
      return "discovery on host " + hostName + " failed: " + app.getOriginalMessage();
    }
    return "discovery on host " + hostName + " failed: " + (cause == null ? e.getMessage() : cause.getMessage());
  }
}
