package io.gpucloud.service.console;

import io.gpucloud.service.ApiException;
import io.gpucloud.service.schedules.ScheduleService;
import io.gpucloud.service.usage.UsageService;
import io.swagger.v3.oas.annotations.Hidden;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Clock;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;

/** Usage summary (GPU-hours by profile for a month, scoped like the API), schedules and usage exports (Admin). */
@Hidden
@Path("/console")
@ConsoleAuth
@Produces(MediaType.TEXT_HTML)
public class UsagePages extends ConsolePages {
  private final UsageService usage;
  private final ScheduleService schedules;
  private final Clock clock;

  public UsagePages(UsageService usage, ScheduleService schedules, Clock clock) {
    this.usage = usage;
    this.schedules = schedules;
    this.clock = clock;
  }

  @GET
  @Path("/usage")
  public Response usage(@Context ContainerRequestContext ctx, @QueryParam("month") String month,
      @QueryParam("groupBy") String groupBy) {
    return page(ctx, "usage", "Usage", null, null, () -> {
      YearMonth m;
      try {
        m = blankToNull(month) == null ? YearMonth.now(clock.withZone(ZoneOffset.UTC)) : YearMonth.parse(month.trim());
      } catch (DateTimeParseException e) {
        throw ApiException.badRequest("month must look like 2026-05");
      }
      String by = blankToNull(groupBy) == null ? "profile" : groupBy.trim();
      return data("rows", usage.summary(caller(ctx), m.atDay(1).toString(), m.plusMonths(1).atDay(1).toString(), by),
          "month", m.toString(), "groupBy", by);
    });
  }

  @GET
  @Path("/schedules")
  public Response schedules(@Context ContainerRequestContext ctx) {
    if (!caller(ctx).isAdmin()) {
      return forbidden(ctx);
    }
    return page(ctx, "schedules", "Schedules", null, null, () -> data("schedules", schedules.list()));
  }

  @GET
  @Path("/exports")
  public Response exports(@Context ContainerRequestContext ctx) {
    if (!caller(ctx).isAdmin()) {
      return forbidden(ctx);
    }
    return page(ctx, "exports", "Usage exports", null, null, () -> data("exports", usage.exports()));
  }
}
