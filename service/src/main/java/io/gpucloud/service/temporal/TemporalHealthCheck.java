package io.gpucloud.service.temporal;

import com.codahale.metrics.health.HealthCheck;
import io.grpc.health.v1.HealthCheckResponse;
import io.temporal.serviceclient.WorkflowServiceStubs;

/** The Temporal frontend answers its gRPC health check with SERVING (and the namespace has our search attributes). */
public class TemporalHealthCheck extends HealthCheck {
  private final WorkflowServiceStubs stubs;
  private final String target;
  private final TemporalManaged temporal;

  public TemporalHealthCheck(WorkflowServiceStubs stubs, String target) {
    this(stubs, target, null);
  }

  /** Also unhealthy while the namespace lacks what the service needs ({@link TemporalManaged#setupProblems}). */
  public TemporalHealthCheck(TemporalManaged temporal, String target) {
    this(temporal.stubs(), target, temporal);
  }

  private TemporalHealthCheck(WorkflowServiceStubs stubs, String target, TemporalManaged temporal) {
    this.stubs = stubs;
    this.target = target;
    this.temporal = temporal;
  }

  @Override
  protected Result check() {
    try {
      HealthCheckResponse r = stubs.healthCheck();
      if (temporal != null && !temporal.setupProblems().isEmpty()) {
        return Result.unhealthy(TemporalSetup.refusal(target, temporal.namespace(), temporal.setupProblems()));
      }
      return r.getStatus() == HealthCheckResponse.ServingStatus.SERVING
          ? Result.healthy("Temporal at " + target + " is serving")
          : Result.unhealthy("Temporal at " + target + " answers " + r.getStatus());
    } catch (RuntimeException e) {
      return Result.unhealthy("Temporal at " + target + " unreachable: " + e.getMessage());
    }
  }
}
