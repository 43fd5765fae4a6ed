package io.gpucloud.service.tenancy;

import com.fasterxml.jackson.databind.JsonNode;
import io.dropwizard.auth.Auth;
import io.gpucloud.service.auth.Caller;
import io.gpucloud.service.auth.Role;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import java.util.List;

/**
 * /api/v1/domains: the routes of a {@link ScopedResource}; the listing filters by parentId and name;
 * /{id}/settings the domain-scoped settings.
 */
@Path("/api/v1/domains")
@RolesAllowed({Role.ADMIN, Role.DOMAIN_ADMIN, Role.USER})
public class DomainResource extends ScopedResource<DomainRequest, DomainView> {
  private final DomainSettingsService settings;

  public DomainResource(DomainService service, LimitService limits, DomainSettingsService settings) {
    super(service, limits);
    this.settings = settings;
  }

  /** The domain-scoped settings: each one's effective value and whether the domain sets it itself. */
  @GET
  @Path("/{id}/settings")
  @RolesAllowed({Role.ADMIN, Role.DOMAIN_ADMIN})
  public DomainSettingsService.View getSettings(@Auth Caller caller, @PathParam("id") String id) {
    return settings.get(caller, id);
  }

  /** {"gpu.detach.on.stop": true} sets the domain's own value; null removes it (inherit again). */
  @PUT
  @Path("/{id}/settings")
  @RolesAllowed({Role.ADMIN, Role.DOMAIN_ADMIN})
  public DomainSettingsService.View putSettings(@Auth Caller caller, @PathParam("id") String id, JsonNode body) {
    return settings.put(caller, id, body);
  }

  @GET
  public List<DomainView> list(@Auth Caller caller, @QueryParam("parentId") String parentId, @QueryParam("name") String name) {
    return service.list(caller, parentId, name);
  }
}
