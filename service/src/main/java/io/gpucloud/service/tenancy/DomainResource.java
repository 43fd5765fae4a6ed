package io.gpucloud.service.tenancy;

import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.core.Response;
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

  /** {@link ScopedResource#create}: overridden only to document the 201's schema (the generic V is not). */
  @Override
  @POST
  @RolesAllowed({Role.ADMIN, Role.DOMAIN_ADMIN})
  @ApiResponse(responseCode = "201", description = "created; Location names it",
      content = @Content(schema = @Schema(implementation = DomainView.class)))
  public Response create(@Auth Caller caller, DomainRequest body) {
    return super.create(caller, body);
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
