package io.gpucloud.service.api;

import io.temporal.client.WorkflowClient;
import java.util.List;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.sqlobject.SqlObjectPlugin;

/** The inventory and workflow resources under /api/v1, all Admin only; the application registers them. */
public final class ApiResources {
  private ApiResources() {}

  public static List<Object> create(Jdbi jdbi, WorkflowClient client, String temporalNamespace, String temporalUiUrl) {
    jdbi.installPlugin(new SqlObjectPlugin()); // a no-op when already installed
    return List.of(
        new GpuCardResource(new CardService(jdbi)),
        new VgpuProfileResource(new ProfileService(jdbi)),
        new HostResource(new HostService(jdbi, client)),
        new GpuDeviceResource(new DeviceService(jdbi), new io.gpucloud.service.instances.InstanceService(jdbi, client)),
        new WorkflowResource(new WorkflowInspector(client, temporalNamespace, temporalUiUrl)));
  }
}
