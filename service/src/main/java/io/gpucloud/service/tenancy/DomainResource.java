package io.gpucloud.service.tenancy;

import io.dropwizard.auth.Auth;
import io.gpucloud.service.auth.Caller;
import io.gpucloud.service.auth.Role;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.QueryParam;
import java.util.List;

/** /api/v1/domains: the routes of a {@link ScopedResource}; the listing filters by parentId and name. */
@Path("/api/v1/domains")
@RolesAllowed({Role.ADMIN, Role.DOMAIN_ADMIN, Role.USER})
public class DomainResource extends ScopedResource<DomainRequest, DomainView> {
  public DomainResource(DomainService service, LimitService limits) {
    super(service, limits);
  }

  @GET
  public List<DomainView> list(@Auth Caller caller, @QueryParam("parentId") String parentId, @QueryParam("name") String name) {
    return service.list(caller, parentId, name);
  }
}
