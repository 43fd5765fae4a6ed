package io.gpucloud.workflows;

import io.gpucloud.activities.host.HostActivities;
import io.gpucloud.activities.instance.HostInstanceActivities;
import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import io.temporal.workflow.Workflow;
import java.time.Duration;

public class DomainXmlWorkflowImpl implements DomainXmlWorkflow {
  @Override
  public String read(String hostName, String vmName) {
    HostInstanceActivities host = Workflow.newActivityStub(HostInstanceActivities.class,
        ActivityOptions.newBuilder()
            .setTaskQueue(HostActivities.taskQueue(hostName))
            .setScheduleToStartTimeout(Duration.ofSeconds(10))
            .setStartToCloseTimeout(Duration.ofSeconds(10))
            .setRetryOptions(RetryOptions.newBuilder().setMaximumAttempts(2).build())
            .build());
    return host.domainXml(vmName);
  }
}
