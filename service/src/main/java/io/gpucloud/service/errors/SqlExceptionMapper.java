package io.gpucloud.service.errors;

import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import java.sql.SQLException;

/** A plain SQLException that reaches the API: as {@link DatabaseExceptionMapper} maps a Jdbi one. */
public class SqlExceptionMapper implements ExceptionMapper<SQLException> {
  private final UncaughtExceptionMapper otherwise = new UncaughtExceptionMapper();

  @Override
  public Response toResponse(SQLException e) {
    return DatabaseExceptionMapper.map(e, otherwise);
  }
}
