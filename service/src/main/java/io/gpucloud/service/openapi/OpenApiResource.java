package io.gpucloud.service.openapi;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.glassfish.jersey.server.ResourceConfig;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * {@code GET /api/v1/openapi.json}: the OpenAPI 3.1 description of the API, generated at the first
 * request from the registered resources. No key needed: the auth filter applies to methods with
 * {@code @RolesAllowed} or an {@code @Auth} parameter only, and this has neither.
 */
@Path("/api/v1/openapi.json")
public class OpenApiResource {
  /** Where the resource classes come from (read at the first request, once all are registered). */
  @FunctionalInterface
  public interface Classes {
    Collection<Class<?>> get();
  }

  private final Classes resources;
  private volatile String json;

  public OpenApiResource(Classes resources) {
    this.resources = resources;
  }

  /** The resource classes (with {@code @Path}) registered in a Jersey configuration, this one included. */
  public static Collection<Class<?>> resourceClasses(ResourceConfig config) {
    Set<Class<?>> classes = new LinkedHashSet<>();
    config.getClasses().forEach(classes::add);
    config.getInstances().forEach(o -> classes.add(o.getClass()));
    classes.removeIf(c -> !c.isAnnotationPresent(Path.class));
    return classes;
  }

  @GET
  @Produces(MediaType.APPLICATION_JSON)
  @Operation(summary = "This OpenAPI description (no key needed)",
      responses = @ApiResponse(responseCode = "200", description = "the OpenAPI 3.1 document",
          content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(type = "object"))))
  public String get() {
    String j = json;
    if (j == null) {
      synchronized (this) {
        if (json == null) {
          json = OpenApiDocs.json(OpenApiDocs.generate(resources.get()));
        }
        j = json;
      }
    }
    return j;
  }
}
