package io.gpucloud.workflows;

import io.gpucloud.activities.inventory.InventoryActivities;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.common.SearchAttributeKey;
import io.temporal.common.SearchAttributes;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** Starts Discovery workflows with the id, summary and search attributes operators filter on. */
public final class DiscoveryStarter {
  public static final SearchAttributeKey<String> HOST_NAME = Starters.HOST_NAME;
  private static final DateTimeFormatter STAMP =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss.SSS'Z'").withZone(ZoneOffset.UTC);

  private DiscoveryStarter() {}

  public static String workflowId(String hostName, Instant at) {
    return "discover-" + hostName + "-" + STAMP.format(at);
  }

  /** What operators filter discoveries by in the Temporal UI. */
  public static SearchAttributes searchAttributes(String hostName) {
    return SearchAttributes.newBuilder().set(HOST_NAME, hostName).build();
  }

  public static String summary(String hostName) {
    return "Discover GPUs on host " + hostName;
  }

  public static WorkflowOptions options(String workflowId, String hostName) {
    return WorkflowOptions.newBuilder()
        .setWorkflowId(workflowId)
        .setTaskQueue(InventoryActivities.CONTROL_PLANE_QUEUE)
        .setTypedSearchAttributes(searchAttributes(hostName))
        .setStaticSummary(summary(hostName))
        .build();
  }

  /** Starts discovery of {@code hostName} and returns the workflow id without waiting for it. */
  public static String start(WorkflowClient client, String hostName) {
    String id = workflowId(hostName, Instant.now());
    DiscoveryWorkflow wf = client.newWorkflowStub(DiscoveryWorkflow.class, options(id, hostName));
    WorkflowClient.start(wf::discover, hostName);
    return id;
  }
}
