package io.gpucloud.service.tenancy;

import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.core.Response;
import io.dropwizard.auth.Auth;
import io.gpucloud.service.auth.Caller;
import io.gpucloud.service.auth.Role;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.QueryParam;
import java.util.List;

/** /api/v1/projects: the routes of a {@link ScopedResource}; the listing filters by accountId and name. */
@Path("/api/v1/projects")
@RolesAllowed({Role.ADMIN, Role.DOMAIN_ADMIN, Role.USER})
public class ProjectResource extends ScopedResource<ProjectRequest, ProjectView> {
  public ProjectResource(ProjectService service, LimitService limits) {
    super(service, limits);
  }

  /** {@link ScopedResource#create}: overridden only to document the 201's schema (the generic V is not). */
  @Override
  @POST
  @RolesAllowed({Role.ADMIN, Role.DOMAIN_ADMIN})
  @ApiResponse(responseCode = "201", description = "created; Location names it",
      content = @Content(schema = @Schema(implementation = ProjectView.class)))
  public Response create(@Auth Caller caller, ProjectRequest body) {
    return super.create(caller, body);
  }

  @GET
  public List<ProjectView> list(@Auth Caller caller, @QueryParam("accountId") String accountId, @QueryParam("name") String name) {
    return service.list(caller, accountId, name);
  }
}
