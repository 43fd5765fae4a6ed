package io.gpucloud.service.openapi;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import io.dropwizard.testing.junit5.ResourceExtension;
import io.gpucloud.service.TestResources;
import io.gpucloud.service.inventory.GpuCardResource;
import io.gpucloud.service.tenancy.AccountResource;
import jakarta.ws.rs.core.Response;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** GET /api/v1/openapi.json answers without a key, behind the same auth filter as the API. */
@ExtendWith(DropwizardExtensionsSupport.class)
class OpenApiResourceTest {
  static final ResourceExtension RESOURCES = TestResources.builder(TestResources::stubCallers)
      .addResource(new GpuCardResource(null))
      .addResource(new OpenApiResource(() -> List.of(GpuCardResource.class, AccountResource.class, OpenApiResource.class)))
      .build();

  @Test
  void servedWithoutAKey() throws Exception {
    Response r = RESOURCES.target("/api/v1/openapi.json").request().get();
    assertThat(r.getStatus()).isEqualTo(200);
    assertThat(r.getMediaType().toString()).startsWith("application/json");
    JsonNode doc = new ObjectMapper().readTree(r.readEntity(String.class));
    assertThat(doc.path("openapi").asText()).startsWith("3.1");
    assertThat(doc.path("paths").has("/api/v1/gpu-cards/{id}")).isTrue();
    assertThat(doc.path("paths").has("/api/v1/accounts/{id}/limits")).isTrue();
    assertThat(doc.path("components").path("securitySchemes").path("bearer").path("scheme").asText()).isEqualTo("bearer");
    // the other routes still need one
    assertThat(RESOURCES.target("/api/v1/gpu-cards").request().get().getStatus()).isEqualTo(401);
  }
}
