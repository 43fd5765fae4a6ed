package io.gpucloud.service.usage;

import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.dropwizard.auth.Auth;
import io.gpucloud.service.auth.Caller;
import io.gpucloud.service.auth.Role;
import io.temporal.client.WorkflowClient;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;
import java.io.InputStream;
import java.time.Clock;
import java.util.List;
import org.jdbi.v3.core.Jdbi;

/**
 * Usage: GET /api/v1/usage (paged records, scoped like instances), GET /api/v1/usage/summary (sums
 * per account, card or profile), and the Admin's exports: POST /api/v1/usage/exports {"date"} runs a
 * day's export now, GET /api/v1/usage/exports lists the files, GET /api/v1/usage/exports/{file}
 * downloads one.
 */
@Path("/api/v1/usage")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed({Role.ADMIN, Role.DOMAIN_ADMIN, Role.USER})
public class UsageResource {
  private final UsageService usage;
  private final ExportFiles files;

  public UsageResource(UsageService usage, ExportFiles files) {
    this.usage = usage;
    this.files = files;
  }

  /** The resource of the service: Temporal starts the exports, {@code exportDir} holds the files. */
  public static UsageResource create(Jdbi jdbi, WorkflowClient temporal, java.nio.file.Path exportDir) {
    ExportFiles files = new ExportFiles(exportDir);
    return new UsageResource(new UsageService(jdbi, files, ExportStarter.temporal(temporal), Clock.systemUTC()),
        files);
  }

  /** ?accountId&instanceId&type&from&to&page&pageSize: {items, page, pageSize, total}. */
  @GET
  public UsagePage list(@Auth Caller caller, @QueryParam("accountId") String accountId,
      @QueryParam("instanceId") String instanceId, @QueryParam("type") String type, @QueryParam("from") String from,
      @QueryParam("to") String to, @QueryParam("page") String page, @QueryParam("pageSize") String pageSize) {
    return usage.list(caller, UsageService.Filter.of(accountId, instanceId, type, from, to), page, pageSize);
  }

  /** ?from&to&groupBy=account|card|profile. */
  @GET
  @Path("/summary")
  public List<UsageSummaryRow> summary(@Auth Caller caller, @QueryParam("from") String from,
      @QueryParam("to") String to, @QueryParam("groupBy") String groupBy) {
    return usage.summary(caller, from, to, groupBy);
  }

  /** Runs the export of a day now: 202 {workflowId, started}. */
  @POST
  @Path("/exports")
  @Consumes(MediaType.APPLICATION_JSON)
  @RolesAllowed(Role.ADMIN)
  @ApiResponse(responseCode = "202", description = "accepted: the export workflow",
      content = @Content(schema = @Schema(implementation = ExportStarted.class)))
  public Response export(@Auth Caller caller, ExportRequest request) {
    return Response.accepted(usage.startExport(request)).build();
  }

  @GET
  @Path("/exports")
  @RolesAllowed(Role.ADMIN)
  public List<UsageExportView> exports(@Auth Caller caller) {
    return usage.exports();
  }

  /** One export file, as an attachment. */
  @GET
  @Path("/exports/{file}")
  @Produces({"text/csv", "application/x-ndjson", MediaType.TEXT_PLAIN, MediaType.APPLICATION_JSON})
  @RolesAllowed(Role.ADMIN)
  @ApiResponse(responseCode = "200", description = "the file, as an attachment", content = {
      @Content(mediaType = "text/csv", schema = @Schema(type = "string", types = "string")),
      @Content(mediaType = "application/x-ndjson", schema = @Schema(type = "string", types = "string"))})
  public Response download(@Auth Caller caller, @PathParam("file") String file) {
    ExportFiles.Opened f = files.open(file);
    StreamingOutput body = out -> {
      try (InputStream in = f.in()) {
        in.transferTo(out);
      }
    };
    return Response.ok(body, f.mediaType())
        .header(HttpHeaders.CONTENT_DISPOSITION, "attachment; filename=\"" + f.name() + "\"")
        .header(HttpHeaders.CONTENT_LENGTH, f.size())
        .build();
  }
}
