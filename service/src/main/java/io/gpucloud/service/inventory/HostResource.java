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
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;

/** Hosts (Admin): inventory view, enable/disable, GPU summary, events, discovery, maintenance, removal. */
@Path("/api/v1/hosts")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed(Role.ADMIN)
public class HostResource {
  private final HostService hosts;

  public HostResource(HostService hosts) {
    this.hosts = hosts;
  }

  @GET
  public List<HostView> list(
      @Auth Caller caller,
      @QueryParam("state") String state,
      @QueryParam("resourceState") String resourceState,
      @QueryParam("name") String name) {
    return hosts.list(state, resourceState, name);
  }

  @GET
  @Path("/{id}")
  public HostView get(@Auth Caller caller, @PathParam("id") String id) {
    return hosts.get(id);
  }

  @POST
  @Path("/{id}/enable")
  public HostView enable(@Auth Caller caller, @PathParam("id") String id) {
    return hosts.setEnabled(id, true);
  }

  @POST
  @Path("/{id}/disable")
  public HostView disable(@Auth Caller caller, @PathParam("id") String id) {
    return hosts.setEnabled(id, false);
  }

  @GET
  @Path("/{id}/gpu-summary")
  public List<GpuSummary.CardSummary> gpuSummary(@Auth Caller caller, @PathParam("id") String id) {
    return hosts.gpuSummary(id);
  }

  @GET
  @Path("/{id}/events")
  public List<HostEventView> events(
      @Auth Caller caller, @PathParam("id") String id, @QueryParam("limit") String limit) {
    return hosts.events(id, parseLimit(limit));
  }

  @POST
  @Path("/{id}/discover")
  @ApiResponse(responseCode = "202", description = "accepted: the discovery workflow",
      content = @Content(schema = @Schema(implementation = DiscoveryStarted.class)))
  public Response discover(@Auth Caller caller, @PathParam("id") String id) {
    return Response.accepted(hosts.discover(id)).build();
  }

  /** 202: the host is PrepareForMaintenance and its Maintenance workflow runs; body {"gpuInstances": "migrate"|"stop"} optional. */
  @POST
  @Path("/{id}/maintenance")
  @Consumes(MediaType.APPLICATION_JSON)
  @ApiResponse(responseCode = "202", description = "accepted: the maintenance workflow",
      content = @Content(schema = @Schema(implementation = MaintenanceStarted.class)))
  public Response maintenance(@Auth Caller caller, @PathParam("id") String id, MaintenanceRequest body) {
    return Response.accepted(hosts.maintenance(caller, id, body)).build();
  }

  @POST
  @Path("/{id}/cancel-maintenance")
  public HostView cancelMaintenance(@Auth Caller caller, @PathParam("id") String id) {
    return hosts.cancelMaintenance(caller, id);
  }

  /** 204; 409 unless the host is in Maintenance or Disconnected and holds no instance. */
  @DELETE
  @Path("/{id}")
  public void delete(@Auth Caller caller, @PathParam("id") String id) {
    hosts.delete(caller, id);
  }

  static Integer parseLimit(String limit) {
    if (limit == null || limit.isBlank()) {
      return null;
    }
    try {
      return Integer.valueOf(limit.trim());
    } catch (NumberFormatException e) {
      throw io.gpucloud.service.ApiException.badRequest("limit must be an integer");
    }
  }
}
