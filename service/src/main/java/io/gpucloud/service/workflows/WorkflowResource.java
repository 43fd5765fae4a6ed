package io.gpucloud.service.workflows;

import io.dropwizard.auth.Auth;
import io.gpucloud.service.auth.Caller;
import io.gpucloud.service.auth.Role;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/** A workflow's status, result or failure and its Temporal UI link (Admin). */
@Path("/api/v1/workflows")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed(Role.ADMIN)
public class WorkflowResource {
  private final WorkflowInspector inspector;

  public WorkflowResource(WorkflowInspector inspector) {
    this.inspector = inspector;
  }

  @GET
  @Path("/{workflowId}")
  public WorkflowView get(@Auth Caller caller, @PathParam("workflowId") String workflowId) {
    return inspector.describe(workflowId);
  }
}
