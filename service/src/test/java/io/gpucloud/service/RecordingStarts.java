package io.gpucloud.service;

import io.gpucloud.activities.instance.OperationRequest;
import io.gpucloud.service.workflows.WorkflowStarts;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** {@link WorkflowStarts} for tests without Temporal: records what would have been started. */
public final class RecordingStarts implements WorkflowStarts {
  /** An operation's start. */
  public record OperationStart(OperationRequest request, String workflowId, String accountName, String hostName,
      String summary) {}

  /** A maintenance start (gpuInstances null) or cancellation (cancel true). */
  public record MaintenanceStart(String workflowId, String hostId, String hostName, String gpuInstances,
      boolean cancel) {}

  public final List<OperationStart> operations = new CopyOnWriteArrayList<>();
  public final List<MaintenanceStart> maintenance = new CopyOnWriteArrayList<>();
  /** When set, every start throws it (Temporal unavailable). */
  public volatile RuntimeException failWith;

  @Override
  public void operation(OperationRequest request, String workflowId, String accountName, String hostName,
      String summary) {
    if (failWith != null) {
      throw failWith;
    }
    operations.add(new OperationStart(request, workflowId, accountName, hostName, summary));
  }

  @Override
  public void maintenance(String workflowId, String hostId, String hostName, String gpuInstances) {
    if (failWith != null) {
      throw failWith;
    }
    maintenance.add(new MaintenanceStart(workflowId, hostId, hostName, gpuInstances, false));
  }

  @Override
  public void cancelMaintenance(String workflowId) {
    maintenance.add(new MaintenanceStart(workflowId, null, null, null, true));
  }

  /** The operation starts of one instance, in order. */
  public List<OperationStart> of(String instanceId) {
    return operations.stream().filter(o -> o.request().instanceId().equals(instanceId)).toList();
  }

  @Override
  public void wakeDeploy(String instanceId) {
    // nothing to record: a hint to a running workflow
  }
}
