package io.gpucloud.service.tenancy;

import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.core.Response;
import io.dropwizard.auth.Auth;
import io.gpucloud.service.auth.Caller;
import io.gpucloud.service.auth.Role;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.QueryParam;
import java.util.List;

/** /api/v1/accounts: the routes of a {@link ScopedResource}; the listing filters by domainId and name. */
@Path("/api/v1/accounts")
@RolesAllowed({Role.ADMIN, Role.DOMAIN_ADMIN, Role.USER})
public class AccountResource extends ScopedResource<AccountRequest, AccountView> {
  public AccountResource(AccountService service, LimitService limits) {
    super(service, limits);
  }

  /** {@link ScopedResource#create}: overridden only to document the 201's schema (the generic V is not). */
  @Override
  @POST
  @RolesAllowed({Role.ADMIN, Role.DOMAIN_ADMIN})
  @ApiResponse(responseCode = "201", description = "created; Location names it",
      content = @Content(schema = @Schema(implementation = AccountView.class)))
  public Response create(@Auth Caller caller, AccountRequest body) {
    return super.create(caller, body);
  }

  @GET
  public List<AccountView> list(@Auth Caller caller, @QueryParam("domainId") String domainId, @QueryParam("name") String name) {
    return service.list(caller, domainId, name);
  }
}
