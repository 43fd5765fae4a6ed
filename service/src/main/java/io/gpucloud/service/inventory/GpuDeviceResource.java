package io.gpucloud.service.inventory;

import io.swagger.v3.oas.annotations.media.ArraySchema;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import com.fasterxml.jackson.databind.JsonNode;
import io.dropwizard.auth.Auth;
import io.gpucloud.service.auth.Caller;
import io.gpucloud.service.auth.Role;
import io.gpucloud.service.instances.InstanceService;
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

/** GPU devices (Admin): list, manual add, update, manage/unmanage, delete; tenants list their own. */
@Path("/api/v1/gpu-devices")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@RolesAllowed(Role.ADMIN)
public class GpuDeviceResource {
  private final DeviceService devices;
  private final InstanceService instances;

  public GpuDeviceResource(DeviceService devices, InstanceService instances) {
    this.devices = devices;
    this.instances = instances;
  }

  /**
   * Admin: the whole inventory with filters. Anyone else: only the devices of the instances they
   * may see, without host or address (tenants need not know the hardware layout).
   */
  @GET
  @RolesAllowed({Role.ADMIN, Role.DOMAIN_ADMIN, Role.USER})
  @ApiResponse(responseCode = "200", description = "Admin: DeviceView items; anyone else: TenantDevice items",
      content = @Content(array = @ArraySchema(schema = @Schema(anyOf = {DeviceView.class, InstanceService.TenantDevice.class}))))
  public List<?> list(
      @Auth Caller caller,
      @QueryParam("hostId") String hostId,
      @QueryParam("cardId") String cardId,
      @QueryParam("profileId") String profileId,
      @QueryParam("instanceId") String instanceId,
      @QueryParam("state") String state,
      @QueryParam("type") String type,
      @QueryParam("managedState") String managedState) {
    if (!caller.isAdmin()) {
      return instances.devicesVisibleTo(caller, instanceId);
    }
    return devices.list(hostId, cardId, profileId, instanceId, state, type, managedState);
  }

  @GET
  @Path("/{id}")
  public DeviceView get(@Auth Caller caller, @PathParam("id") String id) {
    return devices.get(id);
  }

  @POST
  @ApiResponse(responseCode = "201", description = "the device; Location names it",
      content = @Content(schema = @Schema(implementation = DeviceView.class)))
  public Response create(@Auth Caller caller, DeviceRequest body) {
    DeviceView d = devices.create(body);
    return Response.created(URI.create("/api/v1/gpu-devices/" + d.id())).entity(d).build();
  }

  @PUT
  @Path("/{id}")
  public DeviceView update(@Auth Caller caller, @PathParam("id") String id, JsonNode body) {
    return devices.update(id, DeviceUpdate.parse(body));
  }

  @POST
  @Path("/{id}/manage")
  public DeviceView manage(@Auth Caller caller, @PathParam("id") String id) {
    return devices.setManaged(id, true);
  }

  @POST
  @Path("/{id}/unmanage")
  public DeviceView unmanage(@Auth Caller caller, @PathParam("id") String id) {
    return devices.setManaged(id, false);
  }

  @DELETE
  @Path("/{id}")
  public void delete(@Auth Caller caller, @PathParam("id") String id) {
    devices.delete(id);
  }
}
