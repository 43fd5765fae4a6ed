package io.gpucloud.service.errors;

import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import org.jdbi.v3.core.JdbiException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Jdbi error that reaches the API: 503 with Retry-After when the database cannot be reached
 * ({@link DatabaseUnavailable}), else what any uncaught exception gets (500 with an error id).
 */
public class DatabaseExceptionMapper implements ExceptionMapper<JdbiException> {
  private static final Logger LOG = LoggerFactory.getLogger(DatabaseExceptionMapper.class);
  private final UncaughtExceptionMapper otherwise = new UncaughtExceptionMapper();

  @Override
  public Response toResponse(JdbiException e) {
    return map(e, otherwise);
  }

  static Response map(Throwable e, UncaughtExceptionMapper otherwise) {
    return DatabaseUnavailable.is(e) ? unavailable(e) : otherwise.toResponse(e);
  }

  /** The 503, logged in one line (no stack trace: an outage would fill the log). */
  static Response unavailable(Throwable e) {
    LOG.warn("database unavailable, answered 503: {}", rootMessage(e));
    return DatabaseUnavailable.response();
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t.getClass().getSimpleName() + ": " + t.getMessage();
  }
}
