package io.gpucloud.service.errors;

import static org.assertj.core.api.Assertions.assertThat;

import io.dropwizard.jackson.Jackson;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import io.dropwizard.testing.junit5.ResourceExtension;
import io.gpucloud.service.ApiException;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.client.Entity;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(DropwizardExtensionsSupport.class)
class ErrorMappersTest {

  public enum Kind { PCI, MDEV }

  public record Address(@NotBlank String bus) {}

  public record CardBody(
      @NotBlank String vendorId, @Min(1) int count, Kind kind, List<Address> addresses, Boolean display) {}

  @Path("/t")
  @Produces(MediaType.APPLICATION_JSON)
  @Consumes(MediaType.APPLICATION_JSON)
  public static class TestResource {
    @POST
    @Path("/cards")
    public CardBody create(@NotNull @Valid CardBody body) {
      return body;
    }

    @GET
    @Path("/conflict")
    public String conflict() {
      throw ApiException.conflict("card 10de:26b9 already exists");
    }

    @GET
    @Path("/boom")
    public String boom() {
      throw new IllegalStateException("secret internal detail");
    }

    @GET
    @Path("/gone")
    public String gone() {
      throw new NotFoundException("no such card");
    }
  }

  static final ResourceExtension RESOURCES = ResourceExtension.builder()
      .setMapper(StrictJson.configure(Jackson.newObjectMapper()))
      .setRegisterDefaultExceptionMappers(false)
      .addResource(new TestResource())
      .addProvider(new ApiExceptionMapper())
      .addProvider(new WebApplicationExceptionMapper())
      .addProvider(new ForbiddenExceptionMapper())
      .addProvider(new JsonProcessingExceptionMapper())
      .addProvider(new ViolationExceptionMapper())
      .addProvider(new UncaughtExceptionMapper())
      .build();

  private Response post(String json) {
    return RESOURCES.target("/t/cards").request().post(Entity.entity(json, MediaType.APPLICATION_JSON_TYPE));
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> body(Response r) {
    assertThat(r.getMediaType().toString()).startsWith("application/json");
    return r.readEntity(Map.class);
  }

  private static void assertError(Response r, int status, String messagePart) {
    assertThat(r.getStatus()).isEqualTo(status);
    Map<String, Object> b = body(r);
    assertThat(b).containsOnlyKeys("code", "message");
    assertThat(b.get("code")).isEqualTo(status);
    assertThat((String) b.get("message")).contains(messagePart);
  }

  @Test
  void validBodyPasses() {
    Response r = post("{\"vendorId\":\"10de\",\"count\":2,\"kind\":\"PCI\",\"addresses\":[{\"bus\":\"0000:01:00.0\"}]}");
    assertThat(r.getStatus()).isEqualTo(200);
  }

  @Test
  void numberWhereStringExpectedNamesTheField() {
    assertError(post("{\"vendorId\":4318,\"count\":1}"), 400, "field 'vendorId': expected a string");
  }

  @Test
  void objectWhereStringExpectedNamesTheField() {
    assertError(post("{\"vendorId\":{\"a\":1},\"count\":1}"), 400, "field 'vendorId': expected a string");
  }

  @Test
  void stringWhereIntegerExpected() {
    assertError(post("{\"vendorId\":\"10de\",\"count\":\"two\"}"), 400, "field 'count': expected an integer");
    assertError(post("{\"vendorId\":\"10de\",\"count\":\"2\"}"), 400, "field 'count'");
  }

  @Test
  void badEnumListsTheChoices() {
    assertError(post("{\"vendorId\":\"10de\",\"count\":1,\"kind\":\"VF\"}"), 400,
        "field 'kind': expected one of [PCI, MDEV]");
  }

  @Test
  void nestedPathIsNamed() {
    assertError(post("{\"vendorId\":\"10de\",\"count\":1,\"addresses\":[{\"bus\":7}]}"), 400,
        "field 'addresses[0].bus': expected a string");
  }

  @Test
  void unknownFieldIsRejected() {
    assertError(post("{\"vendorId\":\"10de\",\"count\":1,\"colour\":\"green\"}"), 400,
        "field 'colour': unknown field");
  }

  @Test
  void malformedJsonIs400() {
    assertError(post("{\"vendorId\":\"10de\","), 400, "malformed JSON");
    assertError(post("not json"), 400, "malformed JSON");
  }

  @Test
  void validationErrorsAre400WithEveryViolation() {
    Response r = post("{\"vendorId\":\"\",\"count\":0}");
    assertThat(r.getStatus()).isEqualTo(400);
    String message = (String) body(r).get("message");
    assertThat(message).contains("vendorId").contains("count");
  }

  @Test
  void missingBodyIs400() {
    assertError(post(""), 400, "");
  }

  @Test
  void apiExceptionKeepsStatusAndMessage() {
    assertError(RESOURCES.target("/t/conflict").request().get(), 409, "card 10de:26b9 already exists");
  }

  @Test
  void webApplicationExceptionKeepsStatus() {
    assertError(RESOURCES.target("/t/gone").request().get(), 404, "no such card");
    assertError(RESOURCES.target("/t/no-such-path").request().get(), 404, "");
  }

  @Test
  void unsupportedMediaTypeIs415() {
    Response r = RESOURCES.target("/t/cards").request().post(Entity.text("hello"));
    assertError(r, 415, "");
  }

  @Test
  void uncaughtExceptionIsGeneric500() {
    Response r = RESOURCES.target("/t/boom").request().get();
    assertThat(r.getStatus()).isEqualTo(500);
    String message = (String) body(r).get("message");
    assertThat(message).startsWith("internal server error").doesNotContain("secret");
  }

  @Test
  void noRequestBodyOptsOutOfTheUnknownFieldCheck() throws java.io.IOException {
    // a class-level @JsonIgnoreProperties(ignoreUnknown = true) beats StrictJson's FAIL_ON_UNKNOWN_PROPERTIES:
    // POST /instances accepted {"bogus": 1} with 202 because of one
    try (var files = java.nio.file.Files.walk(java.nio.file.Path.of("src/main/java"))) {
      List<String> lenient = files.filter(f -> f.toString().endsWith(".java")).filter(f -> {
        try {
          return java.nio.file.Files.readString(f).replace(" ", "").contains("ignoreUnknown=true");
        } catch (java.io.IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      }).map(java.nio.file.Path::toString).toList();
      assertThat(lenient).isEmpty();
    }
  }

  @Test
  void apiExceptionHelpers() {
    assertThat(ApiException.badRequest("x").getStatus()).isEqualTo(400);
    assertThat(ApiException.forbidden("x").getStatus()).isEqualTo(403);
    assertThat(ApiException.notFound("x").getStatus()).isEqualTo(404);
    assertThat(ApiException.conflict("x").getStatus()).isEqualTo(409);
    assertThat(new ApiException(422, "y").getMessage()).isEqualTo("y");
  }
}
