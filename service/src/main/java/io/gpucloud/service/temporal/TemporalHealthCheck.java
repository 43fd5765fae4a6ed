package io.gpucloud.service.temporal;

import com.codahale.metrics.health.HealthCheck;
import io.grpc.health.v1.HealthCheckResponse;
import io.temporal.serviceclient.WorkflowServiceStubs;

/** The Temporal frontend answers its gRPC health check with SERVING. */
public class TemporalHealthCheck extends HealthCheck {
  private final WorkflowServiceStubs stubs;
  private final String target;

  public TemporalHealthCheck(WorkflowServiceStubs stubs, String target) {
    this.stubs = stubs;
    this.target = target;
  }

  @Override
  protected Result check() {
    try {
      HealthCheckResponse r = stubs.healthCheck();
      return r.getStatus() == HealthCheckResponse.ServingStatus.SERVING
          ? Result.healthy("Temporal at " + target + " is serving")
          : Result.unhealthy("Temporal at " + target + " answers " + r.getStatus());
    } catch (RuntimeException e) {
      return Result.unhealthy("Temporal at " + target + " unreachable: " + e.getMessage());
    }
  }
}
