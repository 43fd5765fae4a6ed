package io.gpucloud.service.tenancy;

import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.dropwizard.auth.Auth;
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

/** /api/v1/templates: everyone lists and reads them; Admin creates and deletes. */
@Path("/api/v1/templates")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@RolesAllowed({Role.ADMIN, Role.DOMAIN_ADMIN, Role.USER})
public class TemplateResource {
  private final TemplateService templates;

  public TemplateResource(TemplateService templates) {
    this.templates = templates;
  }

  @POST
  @RolesAllowed(Role.ADMIN)
  @ApiResponse(responseCode = "201", description = "the template; Location names it",
      content = @Content(schema = @Schema(implementation = TemplateView.class)))
  public Response create(@Auth Caller caller, TemplateRequest body) {
    TemplateView created = templates.create(body);
    return Response.created(URI.create("/api/v1/templates/" + created.id())).entity(created).build();
  }

  @GET
  public List<TemplateView> list(@Auth Caller caller, @QueryParam("name") String name) {
    return templates.list(name);
  }

  @GET
  @Path("/{id}")
  public TemplateView get(@Auth Caller caller, @PathParam("id") String id) {
    return templates.get(id);
  }

  @DELETE
  @Path("/{id}")
  @RolesAllowed(Role.ADMIN)
  public void delete(@Auth Caller caller, @PathParam("id") String id) {
    templates.delete(id);
  }
}
