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

/**
 * /api/v1/settings (Admin): the global default limits and the global values of the domain-scoped
 * settings, {"max.account.gpus": 20, ..., "gpu.detach.on.stop": false}.
 */
@Path("/api/v1/settings")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@RolesAllowed(Role.ADMIN)
public class SettingsResource {
  private final SettingsService settings;

  public SettingsResource(SettingsService settings) {
    this.settings = settings;
  }

  @GET
  public Map<String, Object> get(@Auth Caller caller) {
    return settings.settings();
  }

  @PUT
  public Map<String, Object> put(@Auth Caller caller, JsonNode body) {
    return settings.put(body);
  }
}
