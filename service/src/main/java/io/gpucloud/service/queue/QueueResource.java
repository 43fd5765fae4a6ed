package io.gpucloud.service.queue;

import io.dropwizard.auth.Auth;
import io.gpucloud.service.auth.Caller;
import io.gpucloud.service.auth.Role;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.util.List;

/**
 * GET /api/v1/queue?profileId&accountId: the deploys waiting for capacity that the caller sees, each with
 * its position in its pool's admission order, priority, waited time and why it waits.
 */
@Path("/api/v1/queue")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed({Role.ADMIN, Role.DOMAIN_ADMIN, Role.USER})
public class QueueResource {
  private final QueueService queue;

  public QueueResource(QueueService queue) {
    this.queue = queue;
  }

  @GET
  public List<QueueEntryView> list(@Auth Caller caller, @QueryParam("profileId") String profileId,
      @QueryParam("accountId") String accountId) {
    return queue.list(caller, profileId, accountId);
  }
}
