package io.gpucloud.activities.inventory;

import io.gpucloud.activities.discovery.DiscoveryReport;
import io.gpucloud.activities.host.HostRegistration;
import org.jdbi.v3.core.Jdbi;

/** Control-plane inventory activities on MariaDB. */
public class InventoryActivitiesImpl implements InventoryActivities {
  private final Jdbi jdbi;

  public InventoryActivitiesImpl(Jdbi jdbi) {
    this.jdbi = jdbi;
  }

  @Override
  public String registerHost(HostRegistration registration) {
    throw new IllegalStateException("being written");
  }

  @Override
  public ReconcileResult reconcile(String hostName, String workflowId, DiscoveryReport report) {
    throw new IllegalStateException("being written");
  }

  @Override
  public void recordDiscoveryFailure(String hostName, String workflowId, String message) {
    throw new IllegalStateException("being written");
  }
}
