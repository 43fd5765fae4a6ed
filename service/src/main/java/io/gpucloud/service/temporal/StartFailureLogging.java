package io.gpucloud.service.temporal;

import io.temporal.client.WorkflowExecutionAlreadyStarted;
import io.temporal.common.interceptors.WorkflowClientCallsInterceptor;
import io.temporal.common.interceptors.WorkflowClientCallsInterceptorBase;
import io.temporal.common.interceptors.WorkflowClientInterceptorBase;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs the cause of every failed workflow start of this service's client (the server's own words, e.g.
 * "Namespace default has no mapping defined for search attribute HostName"), whoever started it; the
 * failure still goes to the caller. A start of an id that already runs is the idempotent path: not logged.
 */
public class StartFailureLogging extends WorkflowClientInterceptorBase {
  private static final Logger LOG = LoggerFactory.getLogger(StartFailureLogging.class);

  @Override
  public WorkflowClientCallsInterceptor workflowClientCallsInterceptor(WorkflowClientCallsInterceptor next) {
    return new WorkflowClientCallsInterceptorBase(next) {
      @Override
      public WorkflowStartOutput start(WorkflowStartInput input) {
        try {
          return super.start(input);
        } catch (RuntimeException e) {
          log(input.getWorkflowType(), input.getWorkflowId(), e);
          throw e;
        }
      }

      @Override
      public WorkflowSignalWithStartOutput signalWithStart(WorkflowSignalWithStartInput input) {
        try {
          return super.signalWithStart(input);
        } catch (RuntimeException e) {
          log(input.getWorkflowStartInput().getWorkflowType(), input.getWorkflowStartInput().getWorkflowId(), e);
          throw e;
        }
      }
    };
  }

  static void log(String type, String id, RuntimeException e) {
    if (e instanceof WorkflowExecutionAlreadyStarted) {
      return;
    }
    LOG.warn("cannot start workflow {} ({}): {}", id, type, rootCause(e));
  }

  /** The innermost cause's message, e.g. the gRPC status the server answered. */
  public static String rootCause(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    String m = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    return t == e ? m : m + " (" + e.getClass().getSimpleName() + ")";
  }
}
