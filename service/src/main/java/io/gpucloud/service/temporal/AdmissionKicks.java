package io.gpucloud.service.temporal;

import io.temporal.common.interceptors.ActivityInboundCallsInterceptor;
import io.temporal.common.interceptors.ActivityInboundCallsInterceptorBase;
import io.temporal.common.interceptors.WorkerInterceptorBase;

/**
 * After every activity (local ones included) this worker runs, tells the admission that capacity may
 * have freed: a destroy's release, a stop that gave devices back, a failed deploy, a reconcile. The
 * admission only looks for the wake-up rows those transactions wrote, so a kick that frees nothing costs
 * one small query, and kicks coalesce.
 */
final class AdmissionKicks extends WorkerInterceptorBase {
  private final Runnable kick;

  AdmissionKicks(Runnable kick) {
    this.kick = kick;
  }

  @Override
  public ActivityInboundCallsInterceptor interceptActivity(ActivityInboundCallsInterceptor next) {
    return new ActivityInboundCallsInterceptorBase(next) {
      @Override
      public ActivityOutput execute(ActivityInput input) {
        try {
          return super.execute(input);
        } finally {
          kick.run();
        }
      }
    };
  }
}
