package io.gpucloud.service.tenancy;

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

  @GET
  public List<ProjectView> list(@Auth Caller caller, @QueryParam("accountId") String accountId, @QueryParam("name") String name) {
    return service.list(caller, accountId, name);
  }
}
