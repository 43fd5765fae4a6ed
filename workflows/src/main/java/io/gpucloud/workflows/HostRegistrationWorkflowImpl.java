package io.gpucloud.workflows;

import io.gpucloud.activities.host.HostRegistration;
import io.gpucloud.activities.inventory.InventoryActivities;
import io.temporal.activity.ActivityOptions;
import io.temporal.api.enums.v1.ParentClosePolicy;
import io.temporal.common.RetryOptions;
import io.temporal.workflow.Async;
import io.temporal.workflow.ChildWorkflowOptions;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.time.Instant;

public class HostRegistrationWorkflowImpl implements HostRegistrationWorkflow {
  private final InventoryActivities inventory =
      Workflow.newActivityStub(
          InventoryActivities.class,
          ActivityOptions.newBuilder()
              .setStartToCloseTimeout(Duration.ofSeconds(30))
              .setRetryOptions(RetryOptions.newBuilder().setMaximumInterval(Duration.ofSeconds(10)).build())
              .build());

  @Override
  public String register(HostRegistration registration) {
    String hostId = inventory.registerHost(registration);
    // First discovery as an abandoned child: registration is done once the host row exists,
    // and a failing discovery is the Discovery workflow's story, not the registration's.
    String childId = DiscoveryStarter.workflowId(registration.hostName(), Instant.ofEpochMilli(Workflow.currentTimeMillis()));
    ChildWorkflowOptions.Builder opts = ChildWorkflowOptions.newBuilder()
        .setWorkflowId(childId)
        .setParentClosePolicy(ParentClosePolicy.PARENT_CLOSE_POLICY_ABANDON)
        .setTypedSearchAttributes(DiscoveryStarter.searchAttributes(registration.hostName()))
        .setStaticSummary(DiscoveryStarter.summary(registration.hostName()) + " (agent start)");
    DiscoveryWorkflow discovery = Workflow.newChildWorkflowStub(DiscoveryWorkflow.class, opts.build());
    Async.function(discovery::discover, registration.hostName());
    // Wait until the child has started so it survives this workflow's completion.
    Workflow.getWorkflowExecution(discovery).get();
    return hostId;
  }
}
