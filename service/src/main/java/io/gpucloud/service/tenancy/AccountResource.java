package io.gpucloud.service.tenancy;

import com.fasterxml.jackson.databind.JsonNode;
import io.dropwizard.auth.Auth;
import io.gpucloud.controlplane.limits.ScopeType;
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
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.util.List;

/**
 * /api/v1/accounts, scoped by the caller (see {@link io.gpucloud.service.auth.Scope}): what the caller
 * does not see answers 404; changes need Admin or DomainAdmin (403 for a User).
 */
@Path("/api/v1/accounts")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@RolesAllowed({Role.ADMIN, Role.DOMAIN_ADMIN, Role.USER})
public class AccountResource {
  private final AccountService service;
  private final LimitService limits;

  public AccountResource(AccountService service, LimitService limits) {
    this.service = service;
    this.limits = limits;
  }

  @POST
  @RolesAllowed({Role.ADMIN, Role.DOMAIN_ADMIN})
  public Response create(@Auth Caller caller, AccountRequest body) {
    AccountView created = service.create(caller, body);
    return Response.created(URI.create("/api/v1/accounts/" + created.id())).entity(created).build();
  }

  @GET
  public List<AccountView> list(@Auth Caller caller, @QueryParam("domainId") String domainId, @QueryParam("name") String name) {
    return service.list(caller, domainId, name);
  }

  @GET
  @Path("/{id}")
  public AccountView get(@Auth Caller caller, @PathParam("id") String id) {
    return service.get(caller, id);
  }

  @PUT
  @Path("/{id}")
  @RolesAllowed({Role.ADMIN, Role.DOMAIN_ADMIN})
  public AccountView update(@Auth Caller caller, @PathParam("id") String id, AccountRequest body) {
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
    return limits.get(caller, ScopeType.ACCOUNT, id);
  }

  @PUT
  @Path("/{id}/limits")
  @RolesAllowed({Role.ADMIN, Role.DOMAIN_ADMIN})
  public LimitsView putLimits(@Auth Caller caller, @PathParam("id") String id, JsonNode body) {
    return limits.put(caller, ScopeType.ACCOUNT, id, body);
  }
}
