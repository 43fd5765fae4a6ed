package io.gpucloud.service.errors;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.ForbiddenException;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.SecurityContext;
import jakarta.ws.rs.ext.ExceptionMapper;
import java.lang.reflect.Method;
import java.util.Arrays;

/**
 * 403 from {@code RolesAllowedDynamicFeature} carries no useful text: name the role the resource
 * method needs. Other ForbiddenExceptions keep their message.
 */
public class ForbiddenExceptionMapper implements ExceptionMapper<ForbiddenException> {
  @Context private ResourceInfo resourceInfo;
  @Context private SecurityContext securityContext;

  @Override
  public Response toResponse(ForbiddenException e) {
    String message = e.getMessage();
    String[] roles = requiredRoles();
    if (roles != null && roles.length > 0 && !callerHasOneOf(roles)) {
      message = roles.length == 1
          ? "forbidden: requires role " + roles[0]
          : "forbidden: requires one of the roles " + String.join(", ", roles);
    } else if (message == null || message.isBlank()) {
      message = "forbidden";
    }
    return ErrorBody.response(403, message);
  }

  private String[] requiredRoles() {
    try {
      if (resourceInfo == null) {
        return null;
      }
      Method m = resourceInfo.getResourceMethod();
      if (m != null && m.isAnnotationPresent(RolesAllowed.class)) {
        return m.getAnnotation(RolesAllowed.class).value();
      }
      Class<?> c = resourceInfo.getResourceClass();
      if (c != null && c.isAnnotationPresent(RolesAllowed.class)) {
        return c.getAnnotation(RolesAllowed.class).value();
      }
    } catch (RuntimeException outsideOfRequestScope) {
      return null;
    }
    return null;
  }

  private boolean callerHasOneOf(String[] roles) {
    try {
      return securityContext != null && Arrays.stream(roles).anyMatch(securityContext::isUserInRole);
    } catch (RuntimeException outsideOfRequestScope) {
      return false;
    }
  }
}
