package io.gpucloud.service.tenancy;

import com.fasterxml.jackson.databind.JsonNode;
import io.dropwizard.auth.Auth;
import io.gpucloud.service.auth.Caller;
import io.gpucloud.service.auth.Role;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.Map;

/** /api/v1/settings (Admin): the global default limits, {"max.account.gpus": 20, ...}. */
@Path("/api/v1/settings")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@RolesAllowed(Role.ADMIN)
public class SettingsResource {
  private final LimitService limits;

  public SettingsResource(LimitService limits) {
    this.limits = limits;
  }

  @GET
  public Map<String, Long> get(@Auth Caller caller) {
    return limits.settings();
  }

  @PUT
  public Map<String, Long> put(@Auth Caller caller, JsonNode body) {
    return limits.putSettings(body);
  }
}
