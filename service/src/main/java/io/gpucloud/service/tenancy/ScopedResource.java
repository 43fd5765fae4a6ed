package io.gpucloud.service.tenancy;

import com.fasterxml.jackson.databind.JsonNode;
import io.dropwizard.auth.Auth;
import io.gpucloud.service.auth.Caller;
import io.gpucloud.service.auth.Role;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;

/**
 * The routes every scoped tenancy object has, scoped by the caller (see
 * {@link io.gpucloud.service.auth.Scope}): what the caller does not see answers 404; changes need
 * Admin or DomainAdmin (403 for a User). POST (201 with a Location), GET, PUT and DELETE (204) of
 * /{id}, GET and PUT of /{id}/limits. A subclass adds its {@code @Path}, its class-level
 * {@code @RolesAllowed} (not inherited) and its GET listing, whose parent filter has its own name.
 */
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public abstract class ScopedResource<Q, V extends ScopedView> {
  protected final ScopedService<?, Q, V> service;
  private final LimitService limits;

  protected ScopedResource(ScopedService<?, Q, V> service, LimitService limits) {
    this.service = service;
    this.limits = limits;
  }

  @POST
  @RolesAllowed({Role.ADMIN, Role.DOMAIN_ADMIN})
  public Response create(@Auth Caller caller, Q body) {
    V created = service.create(caller, body);
    String base = getClass().getAnnotation(Path.class).value();
    return Response.created(URI.create(base + "/" + created.id())).entity(created).build();
  }

  @GET
  @Path("/{id}")
  public V get(@Auth Caller caller, @PathParam("id") String id) {
    return service.get(caller, id);
  }

  @PUT
  @Path("/{id}")
  @RolesAllowed({Role.ADMIN, Role.DOMAIN_ADMIN})
  public V update(@Auth Caller caller, @PathParam("id") String id, Q body) {
    return service.update(caller, id, body);
  }

  @DELETE
  @Path("/{id}")
  @RolesAllowed({Role.ADMIN, Role.DOMAIN_ADMIN})
  public void delete(@Auth Caller caller, @PathParam("id") String id) {
    service.delete(caller, id);
  }

  @GET
  @Path("/{id}/limits")
  public LimitsView getLimits(@Auth Caller caller, @PathParam("id") String id) {
    return limits.get(caller, service.type(), id);
  }

  @PUT
  @Path("/{id}/limits")
  @RolesAllowed({Role.ADMIN, Role.DOMAIN_ADMIN})
  public LimitsView putLimits(@Auth Caller caller, @PathParam("id") String id, JsonNode body) {
    return limits.put(caller, service.type(), id, body);
  }
}
