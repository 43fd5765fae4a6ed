package io.gpucloud.service.errors;

import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/** The one error shape of the API: {@code {"code": 404, "message": "..."}}. */
public record ErrorBody(int code, String message) {

  public static Response response(int status, String message) {
    return Response.status(status)
        .type(MediaType.APPLICATION_JSON_TYPE)
        .entity(new ErrorBody(status, message))
        .build();
  }
}
