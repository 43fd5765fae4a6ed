package io.gpucloud.service.tenancy;

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

  @GET
  public List<AccountView> list(@Auth Caller caller, @QueryParam("domainId") String domainId, @QueryParam("name") String name) {
    return service.list(caller, domainId, name);
  }
}
