package io.gpucloud.service.errors;

import io.gpucloud.service.ApiException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;

public class ApiExceptionMapper implements ExceptionMapper<ApiException> {
  @Override
  public Response toResponse(ApiException e) {
    return ErrorBody.response(e.getStatus(), e.getMessage());
  }
}
