package io.gpucloud.service.openapi;

import io.swagger.v3.oas.annotations.OpenAPIDefinition;
import io.swagger.v3.oas.annotations.enums.SecuritySchemeType;
import io.swagger.v3.oas.annotations.info.Info;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import io.swagger.v3.oas.annotations.security.SecurityScheme;

/**
 * The document-level part of the OpenAPI description: title, and the bearer API key applied to every
 * operation. Read by {@link OpenApiDocs} together with the resource classes.
 */
@OpenAPIDefinition(
    info = @Info(title = "GPU cloud orchestrator API", version = "v1",
        description = "GPU instances, inventory and tenancy. Every error is {code, message}."),
    security = @SecurityRequirement(name = ApiDefinition.BEARER))
@SecurityScheme(name = ApiDefinition.BEARER, type = SecuritySchemeType.HTTP, scheme = "bearer",
    description = "An API key: Authorization: Bearer <key>")
public final class ApiDefinition {
  public static final String BEARER = "bearer";

  private ApiDefinition() {}
}
