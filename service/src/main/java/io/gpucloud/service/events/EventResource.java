package io.gpucloud.service.events;

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
 * GET /api/v1/events?instanceId&accountId&type&from&to&limit: the audit trail, scoped like instances,
 * newest first (limit default 100, at most 1000; from/to ISO-8601).
 */
@Path("/api/v1/events")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed({Role.ADMIN, Role.DOMAIN_ADMIN, Role.USER})
public class EventResource {
  private final EventService events;

  public EventResource(EventService events) {
    this.events = events;
  }

  @GET
  public List<EventView> list(@Auth Caller caller, @QueryParam("instanceId") String instanceId,
      @QueryParam("accountId") String accountId, @QueryParam("type") String type, @QueryParam("from") String from,
      @QueryParam("to") String to, @QueryParam("limit") String limit) {
    return events.list(caller, EventService.Filter.of(instanceId, accountId, type, from, to, limit));
  }
}
