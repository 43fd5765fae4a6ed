package io.gpucloud.service.instances;

import io.dropwizard.auth.Auth;
import io.gpucloud.service.auth.Caller;
import io.gpucloud.service.auth.Role;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;
import java.util.Map;

/** GPU instances: deploy (202 + workflow id), list and get, scoped to the caller. */
@Path("/api/v1/instances")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@RolesAllowed({Role.ADMIN, Role.DOMAIN_ADMIN, Role.USER})
public class InstanceResource {
  private final InstanceService instances;

  public InstanceResource(InstanceService instances) {
    this.instances = instances;
  }

  @POST
  public Response deploy(@Auth Caller caller, @HeaderParam("Idempotency-Key") String idempotencyKey,
      InstanceRequest request) {
    return Response.accepted(instances.create(caller, request, idempotencyKey)).build();
  }

  @GET
  public List<InstanceView> list(@Auth Caller caller, @QueryParam("state") String state) {
    return instances.list(caller, state);
  }

  @GET
  @Path("/{id}")
  public InstanceView get(@Auth Caller caller, @PathParam("id") String id) {
    return instances.get(caller, id);
  }

  @GET
  @Path("/{id}/domain-xml")
  @RolesAllowed(Role.ADMIN)
  public Map<String, String> domainXml(@Auth Caller caller, @PathParam("id") String id) {
    return instances.domainXml(caller, id);
  }
}
