package io.gpucloud.service.console;

import io.gpucloud.service.auth.Caller;
import io.gpucloud.service.inventory.HostService;
import io.gpucloud.service.inventory.HostView;
import io.gpucloud.service.inventory.MaintenanceRequest;
import io.swagger.v3.oas.annotations.Hidden;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/** The operator's hosts (Admin only): list, actions, and the host page (GPU Cards tab, history). */
@Hidden
@Path("/console/hosts")
@ConsoleAuth
@Produces(MediaType.TEXT_HTML)
public class HostPages extends ConsolePages {
  private final HostService hosts;
  public HostPages(HostService hosts) {
    this.hosts = hosts;
  }

  @GET
  public Response list(@Context ContainerRequestContext ctx, @QueryParam("state") String state,
      @QueryParam("resourceState") String resourceState, @QueryParam("name") String name,
      @QueryParam("msg") String msg, @QueryParam("err") String err) {
    if (!caller(ctx).isAdmin()) {
      return forbidden(ctx);
    }
    return page(ctx, "hosts", "Hosts", msg, err, () -> data(
        "hosts", hosts.list(blankToNull(state), blankToNull(resourceState), blankToNull(name)),
        "state", state, "resourceState", resourceState, "name", name));
  }

  @GET
  @Path("/{id}")
  public Response host(@Context ContainerRequestContext ctx, @PathParam("id") String id,
      @QueryParam("tab") String tab, @QueryParam("msg") String msg, @QueryParam("err") String err) {
    Caller c = caller(ctx);
    if (!c.isAdmin()) {
      return forbidden(ctx);
    }
    String t = "history".equals(tab) ? "history" : "gpu";
    return page(ctx, "host", "Host", msg, err, () -> {
      HostView h = hosts.get(id);
      return data("h", h, "tab", t,
          "cards", "gpu".equals(t) ? hosts.gpuSummary(id) : java.util.List.of(),
          "history", "history".equals(t) ? hosts.events(id, 100) : java.util.List.of());
    });
  }

  @POST
  @Path("/{id}/{op: enable|disable|discover|maintenance|cancel-maintenance}")
  @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
  public Response operate(@Context ContainerRequestContext ctx, @PathParam("id") String id,
      @PathParam("op") String op, @FormParam("gpuInstances") String gpuInstances, @FormParam("back") String back) {
    Caller c = caller(ctx);
    if (!c.isAdmin()) {
      return forbidden(ctx);
    }
    String path = "list".equals(back) ? "/console/hosts" : "/console/hosts/" + id + "?tab=history";
    return act(path, () -> switch (op) {
      case "enable" -> "Host " + hosts.setEnabled(id, true).name() + " enabled";
      case "disable" -> "Host " + hosts.setEnabled(id, false).name() + " disabled";
      case "discover" -> "Discovery of " + hosts.discover(id).hostName() + " started";
      case "maintenance" -> "Maintenance of " + hosts.maintenance(c, id,
          new MaintenanceRequest(blankToNull(gpuInstances))).hostName() + " started";
      default -> "Maintenance of " + hosts.cancelMaintenance(c, id).name() + " cancelled";
    });
  }
}
