package io.gpucloud.service.errors;

import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Keeps the status of a JAX-RS exception (404 unknown path, 405, 415, ...) and answers {code, message}. */
public class WebApplicationExceptionMapper implements ExceptionMapper<WebApplicationException> {
  private static final Logger LOG = LoggerFactory.getLogger(WebApplicationExceptionMapper.class);

  @Override
  public Response toResponse(WebApplicationException e) {
    Response original = e.getResponse();
    int status = original == null ? 500 : original.getStatus();
    if (status >= 500) {
      LOG.error("request failed with {}", status, e);
    }
    String message = e.getMessage();
    if (message == null || message.isBlank()) {
      Response.StatusType type = original == null ? null : original.getStatusInfo();
      message = type == null ? "error" : type.getReasonPhrase();
    }
    Response.ResponseBuilder b = Response.fromResponse(ErrorBody.response(status, message));
    if (original != null) {
      // keep headers such as Allow (405) or WWW-Authenticate (401)
      original.getHeaders().forEach((k, v) -> {
        if (!k.equalsIgnoreCase("Content-Type") && !k.equalsIgnoreCase("Content-Length")) {
          v.forEach(val -> b.header(k, val));
        }
      });
    }
    return b.build();
  }
}
