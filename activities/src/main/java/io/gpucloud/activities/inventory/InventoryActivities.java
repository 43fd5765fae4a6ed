package io.gpucloud.activities.inventory;

import io.gpucloud.activities.discovery.DiscoveryReport;
import io.gpucloud.activities.host.HostRegistration;
import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;

/** Control-plane inventory activities (task queue {@code control-plane}), backed by MariaDB. */
@ActivityInterface
public interface InventoryActivities {

  String CONTROL_PLANE_QUEUE = "control-plane";

  /** Inserts or refreshes the host row; the host is Up afterwards. Returns the host id. */
  @ActivityMethod(name = "RegisterHost")
  String registerHost(HostRegistration registration);

  /** Applies a validated discovery report to the host's inventory in one transaction. */
  @ActivityMethod(name = "ReconcileInventory")
  ReconcileResult reconcile(String hostName, String workflowId, DiscoveryReport report);

  /** Records a failed discovery as an ERROR host event; the inventory is not touched. */
  @ActivityMethod(name = "RecordDiscoveryFailure")
  void recordDiscoveryFailure(String hostName, String workflowId, String message);
}
