package io.gpucloud.service.instances;

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
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;
import java.util.Map;

/**
 * GPU instances, scoped to the caller: deploy, list and get; the operations stop, start, reboot, scale,
 * migrate and destroy (each 202 with the instance and its workflowId, each with an optional
 * Idempotency-Key).
 */
@Path("/api/v1/instances")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@RolesAllowed({Role.ADMIN, Role.DOMAIN_ADMIN, Role.USER})
public class InstanceResource {
  private final InstanceService instances;
  private final InstanceOperations operations;

  public InstanceResource(InstanceService instances, InstanceOperations operations) {
    this.instances = instances;
    this.operations = operations;
  }

  @POST
  @ApiResponse(responseCode = "202", description = "accepted: the instance, Pending, with its workflowId",
      content = @Content(schema = @Schema(implementation = InstanceView.class)))
  public Response deploy(@Auth Caller caller, @HeaderParam("Idempotency-Key") String idempotencyKey,
      InstanceRequest request) {
    return Response.accepted(instances.create(caller, request, idempotencyKey)).build();
  }

  @GET
  public List<InstanceView> list(@Auth Caller caller, @QueryParam("state") String state) {
    return instances.list(caller, state);
  }

  @GET
  @Path("/{id}")
  public InstanceView get(@Auth Caller caller, @PathParam("id") String id) {
    return instances.get(caller, id);
  }

  @POST
  @Path("/{id}/stop")
  @ApiResponse(responseCode = "202", description = "accepted: the instance with the operation's workflowId",
      content = @Content(schema = @Schema(implementation = InstanceView.class)))
  public Response stop(@Auth Caller caller, @PathParam("id") String id,
      @HeaderParam("Idempotency-Key") String idempotencyKey, OperationBodies.Stop body) {
    return Response.accepted(operations.stop(caller, id, body, idempotencyKey)).build();
  }

  @POST
  @Path("/{id}/start")
  @ApiResponse(responseCode = "202", description = "accepted: the instance with the operation's workflowId",
      content = @Content(schema = @Schema(implementation = InstanceView.class)))
  public Response start(@Auth Caller caller, @PathParam("id") String id,
      @HeaderParam("Idempotency-Key") String idempotencyKey) {
    return Response.accepted(operations.start(caller, id, idempotencyKey)).build();
  }

  @POST
  @Path("/{id}/reboot")
  @ApiResponse(responseCode = "202", description = "accepted: the instance with the operation's workflowId",
      content = @Content(schema = @Schema(implementation = InstanceView.class)))
  public Response reboot(@Auth Caller caller, @PathParam("id") String id,
      @HeaderParam("Idempotency-Key") String idempotencyKey) {
    return Response.accepted(operations.reboot(caller, id, idempotencyKey)).build();
  }

  @POST
  @Path("/{id}/scale")
  @ApiResponse(responseCode = "202", description = "accepted: the instance with the operation's workflowId",
      content = @Content(schema = @Schema(implementation = InstanceView.class)))
  public Response scale(@Auth Caller caller, @PathParam("id") String id,
      @HeaderParam("Idempotency-Key") String idempotencyKey, OperationBodies.Scale body) {
    return Response.accepted(operations.scale(caller, id, body, idempotencyKey)).build();
  }

  @POST
  @Path("/{id}/migrate")
  @ApiResponse(responseCode = "202", description = "accepted: the instance with the operation's workflowId",
      content = @Content(schema = @Schema(implementation = InstanceView.class)))
  public Response migrate(@Auth Caller caller, @PathParam("id") String id,
      @HeaderParam("Idempotency-Key") String idempotencyKey, OperationBodies.Migrate body) {
    return Response.accepted(operations.migrate(caller, id, body, idempotencyKey)).build();
  }

  /** Destroy: from Running, Stopped or Error; the instance ends Destroyed (hidden from default listings). */
  @DELETE
  @Path("/{id}")
  @ApiResponse(responseCode = "202", description = "accepted: the instance with the operation's workflowId",
      content = @Content(schema = @Schema(implementation = InstanceView.class)))
  public Response destroy(@Auth Caller caller, @PathParam("id") String id,
      @HeaderParam("Idempotency-Key") String idempotencyKey) {
    return Response.accepted(operations.destroy(caller, id, idempotencyKey)).build();
  }

  @GET
  @Path("/{id}/domain-xml")
  @RolesAllowed(Role.ADMIN)
  public Map<String, String> domainXml(@Auth Caller caller, @PathParam("id") String id) {
    return instances.domainXml(caller, id);
  }
}
