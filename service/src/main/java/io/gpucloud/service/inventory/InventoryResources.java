package io.gpucloud.service.inventory;

import io.gpucloud.service.instances.InstanceService;
import io.temporal.client.WorkflowClient;
import java.util.List;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.sqlobject.SqlObjectPlugin;

/**
 * The inventory resources under /api/v1 (cards, profiles, hosts, devices), all Admin only except a
 * tenant's GET /gpu-devices, which {@code instances} answers; the application registers them.
 */
public final class InventoryResources {
  private InventoryResources() {}

  public static List<Object> create(Jdbi jdbi, WorkflowClient client, InstanceService instances) {
    jdbi.installPlugin(new SqlObjectPlugin()); // a no-op when already installed
    return List.of(
        new GpuCardResource(new CardService(jdbi)),
        new VgpuProfileResource(new ProfileService(jdbi)),
        new HostResource(new HostService(jdbi, client)),
        new GpuDeviceResource(new DeviceService(jdbi), instances));
  }
}
