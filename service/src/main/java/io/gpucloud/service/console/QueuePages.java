package io.gpucloud.service.console;

import io.gpucloud.service.queue.QueueService;
import io.swagger.v3.oas.annotations.Hidden;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * The queue: the waiting deploys the caller sees (GET /api/v1/queue's scoping), each with its position in
 * its pool, priority, waited time and why it waits; refreshed every few seconds by htmx.
 */
@Hidden
@Path("/console")
@ConsoleAuth
@Produces(MediaType.TEXT_HTML)
public class QueuePages extends ConsolePages {
  private final QueueService queue;

  public QueuePages(QueueService queue) {
    this.queue = queue;
  }

  @GET
  @Path("/queue")
  public Response queue(@Context ContainerRequestContext ctx) {
    return page(ctx, "queue", "Queue", null, null, () -> data("entries", queue.list(caller(ctx), null, null)));
  }
}
