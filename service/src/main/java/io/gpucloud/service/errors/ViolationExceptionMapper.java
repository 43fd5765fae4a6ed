package io.gpucloud.service.errors;

import io.dropwizard.jersey.validation.ConstraintMessage;
import io.dropwizard.jersey.validation.JerseyViolationException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import java.util.stream.Collectors;

/** Bean validation failures (@Valid, @NotNull, ...) -> 400 {code, message} with every violation. */
public class ViolationExceptionMapper implements ExceptionMapper<JerseyViolationException> {
  @Override
  public Response toResponse(JerseyViolationException e) {
    String message = e.getConstraintViolations().stream()
        .map(v -> ConstraintMessage.getMessage(v, e.getInvocable()))
        .sorted()
        .distinct()
        .collect(Collectors.joining("; "));
    int status = ConstraintMessage.determineStatus(e.getConstraintViolations(), e.getInvocable());
    // a return-value violation is our bug (500); everything the client sent is a 400
    return ErrorBody.response(status >= 500 ? 500 : 400, message.isEmpty() ? "invalid request" : message);
  }
}
