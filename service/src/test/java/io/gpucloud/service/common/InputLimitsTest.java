package io.gpucloud.service.common;

import static io.gpucloud.service.ApiAssertions.assertError;
import static io.gpucloud.service.ApiAssertions.fails;
import static org.assertj.core.api.Assertions.assertThat;

import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import io.dropwizard.testing.junit5.ResourceExtension;
import io.gpucloud.service.TestResources;
import io.gpucloud.service.instances.InstanceRequest;
import io.gpucloud.service.inventory.CardRequest;
import io.gpucloud.service.inventory.CardService;
import io.gpucloud.service.inventory.GpuCardResource;
import io.gpucloud.service.tenancy.AccountRequest;
import io.gpucloud.service.tenancy.DomainRequest;
import io.gpucloud.service.tenancy.OfferingRequest;
import io.gpucloud.service.tenancy.ProjectRequest;
import io.gpucloud.service.tenancy.TemplateRequest;
import jakarta.ws.rs.client.Entity;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Bodies over 1 MiB are 413; names over 255 characters or with control characters are 400 naming the field. */
@ExtendWith(DropwizardExtensionsSupport.class)
class InputLimitsTest {
  static final ResourceExtension RESOURCES = builder()
      .addResource(new GpuCardResource(new CardService(Jdbi.create("jdbc:mariadb://127.0.0.1:1/none"))))
      .build();

  static ResourceExtension.Builder builder() {
    ResourceExtension.Builder b = TestResources.builder(TestResources::stubCallers);
    BodyLimitFilter.components().forEach(b::addProvider);
    return b;
  }

  /** A JSON object of about {@code size} bytes: {"name": "aaaa..."}. */
  static String json(int size) {
    return "{\"name\": \"" + "a".repeat(size) + "\"}";
  }

  @Test
  void aBodyOverOneMibIs413() {
    byte[] body = json(2 << 20).getBytes(StandardCharsets.UTF_8);
    Response r = TestResources.request(RESOURCES, "admin", "/api/v1/gpu-cards")
        .post(Entity.entity(body, MediaType.APPLICATION_JSON_TYPE));
    assertError(r, 413, "1 MiB");
  }

  @Test
  void aDeclaredContentLengthOverOneMibIs413BeforeTheBodyIsRead() {
    Response r = TestResources.request(RESOURCES, "admin", "/api/v1/gpu-cards")
        .header("Content-Length", Long.toString(BodyLimitFilter.MAX_BODY + 1))
        .post(Entity.entity("{}", MediaType.APPLICATION_JSON_TYPE));
    assertError(r, 413, "1 MiB");
  }

  @Test
  void aStreamedBodyWithoutLengthOverOneMibIs413() {
    StreamingOutput chunks = out -> {
      out.write("{\"name\": \"".getBytes(StandardCharsets.UTF_8));
      byte[] a = "a".repeat(64 * 1024).getBytes(StandardCharsets.UTF_8);
      for (int i = 0; i < 40; i++) {
        out.write(a);
      }
      out.write("\"}".getBytes(StandardCharsets.UTF_8));
    };
    Response r = TestResources.request(RESOURCES, "admin", "/api/v1/gpu-cards")
        .post(Entity.entity(chunks, MediaType.APPLICATION_JSON_TYPE));
    assertError(r, 413, "1 MiB");
  }

  @Test
  void aBodyUnderTheLimitIsRead() {
    // read in full, then refused by the validation of its fields, not by the limit
    Response r = TestResources.request(RESOURCES, "admin", "/api/v1/gpu-cards")
        .post(Entity.entity(json(900 * 1024), MediaType.APPLICATION_JSON_TYPE));
    assertError(r, 400, "vendorId is required");
  }

  @Test
  void boundedStreamCountsEveryRead() throws Exception {
    var in = new BodyLimitFilter.Bounded(new java.io.ByteArrayInputStream(new byte[10]), 8);
    assertThat(in.read()).isZero();
    assertThat(in.read(new byte[7], 0, 7)).isEqualTo(7);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> in.read(new byte[4], 0, 4))
        .isInstanceOf(BodyLimitFilter.TooLarge.class);
  }

  static final String LONG = "n".repeat(256);

  @Test
  void theNameRule() {
    assertThat(Checks.name("name", "  gpu-a ")).isEqualTo("gpu-a");
    assertThat(Checks.name("name", "n".repeat(255))).hasSize(255);
    fails(400, "name must be at most 255", () -> Checks.name("name", LONG));
    for (String bad : List.of("a\nb", "a\tb", "a\u0000b", "a\u007fb", "trailing\n", "\u001b[31mred")) {
      fails(400, "name must not contain control characters", () -> Checks.name("name", bad));
    }
    fails(400, "name is required", () -> Checks.name("name", null));
    assertThat(Checks.optionalName("name", null)).isNull();
  }

  @Test
  void everyRequestWithANameAppliesIt() {
    for (String bad : List.of(LONG, "x\ny")) {
      String what = bad.length() > 255 ? "at most" : "control characters";
      fails(400, "name", () -> new DomainRequest(bad, null).validateCreate());
      fails(400, "name", () -> new AccountRequest(bad, null).validateCreate());
      fails(400, "name", () -> new ProjectRequest(bad, null).validateCreate());
      fails(400, "name must", () -> new TemplateRequest(bad, "linux", 10L, "/i.qcow2").validateCreate());
      fails(400, "vendorName " + (what.equals("at most") ? "must be at most" : "must not contain"),
          () -> new CardRequest("10de", "20b5", bad, "A100", null).validateCreate());
      fails(400, "deviceName", () -> new CardRequest("10de", "20b5", "NVIDIA", bad, null).validateCreate());
      fails(400, "name", () -> new CardRequest("10de", "20b5", "NVIDIA", "A100", bad).validateCreate());
      fails(400, "name", () -> new InstanceRequest(bad, null, null, null, null).validated());
    }
    fails(400, "name must not contain control characters",
        () -> new OfferingRequest("o\u0007", null, null, null, null, null, null, null, null).validateCreate());
  }
}
