package io.gpucloud.service.auth;

import io.dropwizard.auth.Authorizer;
import jakarta.ws.rs.container.ContainerRequestContext;

/**
 * {@code @RolesAllowed} by role name: a caller has exactly its own role ("Admin", "DomainAdmin" or
 * "User"); a resource open to several roles lists them all.
 */
public class RoleAuthorizer implements Authorizer<Caller> {
  @Override
  public boolean authorize(Caller caller, String role, ContainerRequestContext requestContext) {
    return caller != null && caller.role() != null && caller.role().name().equals(role);
  }
}
