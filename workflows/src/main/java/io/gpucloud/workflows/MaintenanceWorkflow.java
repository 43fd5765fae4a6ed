package io.gpucloud.workflows;

import io.gpucloud.activities.WorkflowTypes;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * Host maintenance: the host is PrepareForMaintenance (no new placement takes it); each GPU
 * instance on it is cold-migrated (stop, migrate, start as child workflows) or stopped when
 * {@code gpuInstances} is "stop" or no other host has room; the host ends in Maintenance.
 * Returns one line per instance saying what became of it.
 */
@WorkflowInterface
public interface MaintenanceWorkflow {
  @WorkflowMethod(name = WorkflowTypes.MAINTENANCE)
  java.util.List<String> run(String hostId, String gpuInstances);
}
