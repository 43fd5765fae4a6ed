package io.gpucloud.service.tenancy;

import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.dropwizard.auth.Auth;
import io.gpucloud.service.ApiException;
import io.gpucloud.service.auth.Caller;
import io.gpucloud.service.auth.Role;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.util.List;

/** /api/v1/offerings: everyone lists and reads them (tenants pick one); Admin creates and deletes. */
@Path("/api/v1/offerings")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@RolesAllowed({Role.ADMIN, Role.DOMAIN_ADMIN, Role.USER})
public class OfferingResource {
  private final OfferingService offerings;

  public OfferingResource(OfferingService offerings) {
    this.offerings = offerings;
  }

  @POST
  @RolesAllowed(Role.ADMIN)
  @ApiResponse(responseCode = "201", description = "the offering; Location names it",
      content = @Content(schema = @Schema(implementation = OfferingView.class)))
  public Response create(@Auth Caller caller, OfferingRequest body) {
    OfferingView created = offerings.create(body);
    return Response.created(URI.create("/api/v1/offerings/" + created.id())).entity(created).build();
  }

  /** gpuEnabled=true: only offerings with a vGPU profile; false: only those without. */
  @GET
  public List<OfferingView> list(
      @Auth Caller caller, @QueryParam("gpuEnabled") String gpuEnabled, @QueryParam("name") String name) {
    return offerings.list(flag("gpuEnabled", gpuEnabled), name);
  }

  @GET
  @Path("/{id}")
  public OfferingView get(@Auth Caller caller, @PathParam("id") String id) {
    return offerings.get(id);
  }

  @DELETE
  @Path("/{id}")
  @RolesAllowed(Role.ADMIN)
  public void delete(@Auth Caller caller, @PathParam("id") String id) {
    offerings.delete(id);
  }

  static Boolean flag(String field, String value) {
    if (value == null || value.isBlank()) {
      return null;
    }
    return switch (value.trim().toLowerCase(java.util.Locale.ROOT)) {
      case "true" -> Boolean.TRUE;
      case "false" -> Boolean.FALSE;
      default -> throw ApiException.badRequest(field + " must be true or false");
    };
  }
}
