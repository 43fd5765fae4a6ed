package io.gpucloud.service.errors;

import io.dropwizard.jersey.errors.EarlyEofExceptionMapper;
import java.util.List;

/**
 * Every exception mapper of the API. The application turns off Dropwizard's default mappers and
 * registers these instead, so that every error body is {@code {code, message}}.
 */
public final class ErrorMappers {
  private ErrorMappers() {}

  public static List<Object> all() {
    return List.of(
        new ApiExceptionMapper(),
        new WebApplicationExceptionMapper(),
        new ForbiddenExceptionMapper(),
        new JsonProcessingExceptionMapper(),
        new ViolationExceptionMapper(),
        new DatabaseExceptionMapper(),
        new SqlExceptionMapper(),
        new UncaughtExceptionMapper(),
        new EarlyEofExceptionMapper());
  }
}
