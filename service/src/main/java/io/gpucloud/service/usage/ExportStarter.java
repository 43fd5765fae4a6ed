package io.gpucloud.service.usage;

import io.gpucloud.workflows.UsageStarter;
import io.temporal.client.WorkflowClient;
import java.time.LocalDate;

/** Starts a day's export workflow; Temporal's in the service, a recording one in tests. */
@FunctionalInterface
public interface ExportStarter {
  UsageStarter.Start startExport(LocalDate day);

  public static ExportStarter temporal(WorkflowClient client) {
    return day -> UsageStarter.startExport(client, day);
  }
}
