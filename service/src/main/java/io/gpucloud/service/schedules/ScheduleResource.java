package io.gpucloud.service.schedules;

import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.dropwizard.auth.Auth;
import io.gpucloud.service.auth.Caller;
import io.gpucloud.service.auth.Role;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;

/** Scheduled jobs (Admin): their last and next runs, and "run now". */
@Path("/api/v1/schedules")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed(Role.ADMIN)
public class ScheduleResource {
  private final ScheduleService schedules;

  public ScheduleResource(ScheduleService schedules) {
    this.schedules = schedules;
  }

  @GET
  public List<ScheduleView> list(@Auth Caller caller) {
    return schedules.list();
  }

  /** 202: Quartz fires the job now (on whichever replica acquires it); it does what a scheduled fire does. */
  @POST
  @Path("/{name}/run")
  @ApiResponse(responseCode = "202", description = "accepted: the job fired",
      content = @Content(schema = @Schema(implementation = ScheduleRun.class)))
  public Response run(@Auth Caller caller, @PathParam("name") String name) {
    return Response.accepted(schedules.run(name)).build();
  }
}
