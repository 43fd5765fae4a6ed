package io.gpucloud.service.console;

import io.gpucloud.service.ApiException;
import io.gpucloud.service.auth.Caller;
import io.gpucloud.service.events.EventService;
import io.gpucloud.service.instances.InstanceOperations;
import io.gpucloud.service.instances.InstanceRequest;
import io.gpucloud.service.instances.InstanceService;
import io.gpucloud.service.instances.InstanceView;
import io.gpucloud.service.instances.OperationBodies;
import io.gpucloud.service.inventory.HostService;
import io.gpucloud.service.tenancy.OfferingService;
import io.gpucloud.service.tenancy.ProjectService;
import io.gpucloud.service.tenancy.TemplateService;
import io.gpucloud.service.workflows.WorkflowInspector;
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
import java.net.URI;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/** The tenant's instances: list, deploy, the instance page (GPU Cards, events), the operations. */
@Hidden
@Path("/console")
@ConsoleAuth
@Produces(MediaType.TEXT_HTML)
public class InstancePages extends ConsolePages {
  /** States that no longer change on their own: the live fragment stops polling there. */
  static final Set<String> SETTLED = Set.of("Running", "Stopped", "Error", "Destroyed");

  private final InstanceService instances;
  private final InstanceOperations operations;
  private final OfferingService offerings;
  private final TemplateService templates;
  private final ProjectService projects;
  private final HostService hosts;
  private final EventService events;
  private final WorkflowInspector workflows;

  public InstancePages(InstanceService instances, InstanceOperations operations, OfferingService offerings,
      TemplateService templates, ProjectService projects, HostService hosts, EventService events,
      WorkflowInspector workflows) {
    this.instances = instances;
    this.operations = operations;
    this.offerings = offerings;
    this.templates = templates;
    this.projects = projects;
    this.hosts = hosts;
    this.events = events;
    this.workflows = workflows;
  }

  @GET
  @Path("/instances")
  public Response list(@Context ContainerRequestContext ctx, @QueryParam("state") String state,
      @QueryParam("msg") String msg, @QueryParam("err") String err) {
    return page(ctx, "instances", "Instances", msg, err, () -> rows(ctx, state));
  }

  /** The list's rows alone (htmx polls them while an instance is on its way somewhere). */
  @GET
  @Path("/instances/rows")
  public Response rowsFragment(@Context ContainerRequestContext ctx, @QueryParam("state") String state) {
    return page(ctx, "instances_rows", "", null, null, () -> rows(ctx, state));
  }

  private java.util.Map<String, Object> rows(ContainerRequestContext ctx, String state) {
    List<InstanceView> list = instances.list(caller(ctx), blankToNull(state));
    boolean moving = list.stream().anyMatch(i -> !SETTLED.contains(i.state()));
    return data("instances", list, "moving", moving, "state", state == null ? "" : state);
  }

  @GET
  @Path("/instances/new")
  public Response deployForm(@Context ContainerRequestContext ctx, @QueryParam("err") String err) {
    Caller c = caller(ctx);
    return page(ctx, "deploy", "Deploy an instance", null, err, () -> data(
        "offerings", offerings.list(null, null),
        "templates", templates.list(null),
        "projects", projects.list(c, null, null)));
  }

  @POST
  @Path("/instances")
  @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
  public Response deploy(@Context ContainerRequestContext ctx, @FormParam("name") String name,
      @FormParam("offeringId") String offeringId, @FormParam("templateId") String templateId,
      @FormParam("projectId") String projectId, @FormParam("queue") String queue,
      @FormParam("maxWait") String maxWait, @FormParam("priority") String priority) {
    try {
      // "wait for capacity": the same queue options as POST /api/v1/instances
      io.gpucloud.service.instances.QueueOptions q = blankToNull(queue) == null ? null
          : new io.gpucloud.service.instances.QueueOptions(blankToNull(maxWait), intOrNull(priority), false);
      InstanceView v = instances.create(caller(ctx),
          new InstanceRequest(name, blankToNull(offeringId), blankToNull(templateId), blankToNull(projectId), q),
          UUID.randomUUID().toString());
      return Response.seeOther(URI.create("/console/instances/" + v.id() + "?msg=Deploying")).build();
    } catch (ApiException e) {
      return redirect("/console/instances/new", null, e.getMessage());
    }
  }

  @GET
  @Path("/instances/{id}")
  public Response instance(@Context ContainerRequestContext ctx, @PathParam("id") String id,
      @QueryParam("tab") String tab, @QueryParam("msg") String msg, @QueryParam("err") String err) {
    Caller c = caller(ctx);
    return page(ctx, "instance", "Instance", msg, err, () -> {
      InstanceView v = instances.get(c, id);
      String t = "events".equals(tab) ? "events" : "gpu";
      return data("i", v, "tab", t, "settled", SETTLED.contains(v.state()),
          "events", "events".equals(t)
              ? events.list(c, EventService.Filter.of(id, null, null, null, null, "50")) : List.of(),
          "hosts", c.isAdmin() && "Stopped".equals(v.state()) ? hosts.list("Up", "Enabled", null) : List.of());
    });
  }

  /** The instance's state and failure reason; polls itself every 2 s until the state settles. */
  @GET
  @Path("/instances/{id}/status")
  public Response status(@Context ContainerRequestContext ctx, @PathParam("id") String id) {
    return page(ctx, "instance_status", "", null, null, () -> {
      InstanceView v = instances.get(caller(ctx), id);
      return data("i", v, "settled", SETTLED.contains(v.state()));
    });
  }

  @POST
  @Path("/instances/{id}/{op: stop|start|reboot|migrate|destroy}")
  @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
  public Response operate(@Context ContainerRequestContext ctx, @PathParam("id") String id,
      @PathParam("op") String op, @FormParam("hostId") String hostId, @FormParam("force") String force,
      @FormParam("back") String back) {
    Caller c = caller(ctx);
    String key = UUID.randomUUID().toString();
    String path = "list".equals(back) ? "/console/instances" : "/console/instances/" + id;
    return act(path, () -> {
      InstanceView v = switch (op) {
        case "stop" -> operations.stop(c, id, new OperationBodies.Stop(force != null ? Boolean.TRUE : null), key);
        case "start" -> operations.start(c, id, key);
        case "reboot" -> operations.reboot(c, id, key);
        case "migrate" -> operations.migrate(c, id, new OperationBodies.Migrate(blankToNull(hostId)), key);
        default -> operations.destroy(c, id, key);
      };
      return op.substring(0, 1).toUpperCase() + op.substring(1) + " of " + v.name() + " accepted";
    });
  }

  /** An Admin's link to a workflow: to its page in the Temporal UI (config temporal.uiUrl). */
  @GET
  @Path("/workflows/{workflowId}")
  public Response workflow(@Context ContainerRequestContext ctx, @PathParam("workflowId") String workflowId) {
    if (!caller(ctx).isAdmin()) {
      return forbidden(ctx);
    }
    try {
      String url = workflows.describe(workflowId).uiUrl();
      if (url == null) {
        return errorPage(ctx, 404, "no Temporal UI is configured (temporal.uiUrl)");
      }
      return Response.seeOther(URI.create(url)).build();
    } catch (ApiException e) {
      return errorPage(ctx, e.getStatus(), e.getMessage());
    }
  }
}
