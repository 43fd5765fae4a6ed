package io.gpucloud.service.errors;

import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Anything not mapped elsewhere: 500 with a generic message; the stack trace goes to the log. A
 * database that cannot be reached, wrapped in some other exception, is still a 503
 * ({@link DatabaseUnavailable}).
 */
public class UncaughtExceptionMapper implements ExceptionMapper<Throwable> {
  private static final Logger LOG = LoggerFactory.getLogger(UncaughtExceptionMapper.class);

  @Override
  public Response toResponse(Throwable e) {
    if (DatabaseUnavailable.is(e)) {
      return DatabaseExceptionMapper.unavailable(e);
    }
    String errorId = String.format("%016x", ThreadLocalRandom.current().nextLong());
    LOG.error("uncaught exception, error id {}", errorId, e);
    return ErrorBody.response(500, "internal server error (error id " + errorId + ")");
  }
}
