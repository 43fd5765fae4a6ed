package io.gpucloud.service.inventory;

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
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.util.List;

/** vGPU profiles (Admin). */
@Path("/api/v1/vgpu-profiles")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@RolesAllowed(Role.ADMIN)
public class VgpuProfileResource {
  private final ProfileService profiles;

  public VgpuProfileResource(ProfileService profiles) {
    this.profiles = profiles;
  }

  @POST
  @ApiResponse(responseCode = "201", description = "the profile; Location names it",
      content = @Content(schema = @Schema(implementation = ProfileView.class)))
  public Response create(@Auth Caller caller, ProfileRequest body) {
    ProfileView p = profiles.create(body);
    return Response.created(URI.create("/api/v1/vgpu-profiles/" + p.id())).entity(p).build();
  }

  @GET
  public List<ProfileView> list(
      @Auth Caller caller, @QueryParam("cardId") String cardId, @QueryParam("name") String name) {
    return profiles.list(cardId, name);
  }

  @GET
  @Path("/{id}")
  public ProfileView get(@Auth Caller caller, @PathParam("id") String id) {
    return profiles.get(id);
  }

  @PUT
  @Path("/{id}")
  public ProfileView update(@Auth Caller caller, @PathParam("id") String id, ProfileRequest body) {
    return profiles.update(id, body);
  }

  @DELETE
  @Path("/{id}")
  public void delete(@Auth Caller caller, @PathParam("id") String id) {
    profiles.delete(id);
  }
}
