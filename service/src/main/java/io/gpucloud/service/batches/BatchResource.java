package io.gpucloud.service.batches;

import io.dropwizard.auth.Auth;
import io.gpucloud.service.auth.Caller;
import io.gpucloud.service.auth.Role;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * POST /api/v1/instance-batches: N instances deployed as one batch workflow {@code batch-<id>}, gang
 * (all or none) or each; GET shows the members and their states; DELETE cancels what has not started
 * (withdrawn) and destroys what has.
 */
@Path("/api/v1/instance-batches")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@RolesAllowed({Role.ADMIN, Role.DOMAIN_ADMIN, Role.USER})
public class BatchResource {
  private final BatchService batches;

  public BatchResource(BatchService batches) {
    this.batches = batches;
  }

  @POST
  @ApiResponse(responseCode = "202", description = "accepted: the batch with its members (Creating) and workflowId",
      content = @Content(schema = @Schema(implementation = BatchView.class)))
  public Response create(@Auth Caller caller, @HeaderParam("Idempotency-Key") String idempotencyKey,
      BatchRequestBody body) {
    return Response.accepted(batches.create(caller, body, idempotencyKey)).build();
  }

  @GET
  @Path("/{id}")
  public BatchView get(@Auth Caller caller, @PathParam("id") String id) {
    return batches.get(caller, id);
  }

  @DELETE
  @Path("/{id}")
  @ApiResponse(responseCode = "202", description = "accepted: queued members withdrawn, the others being destroyed",
      content = @Content(schema = @Schema(implementation = BatchView.class)))
  public Response cancel(@Auth Caller caller, @PathParam("id") String id) {
    return Response.accepted(batches.cancel(caller, id)).build();
  }
}
