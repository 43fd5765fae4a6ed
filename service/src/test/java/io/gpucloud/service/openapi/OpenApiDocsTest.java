package io.gpucloud.service.openapi;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.classgraph.ClassGraph;
import io.github.classgraph.ScanResult;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.responses.ApiResponse;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HEAD;
import jakarta.ws.rs.HttpMethod;
import jakarta.ws.rs.OPTIONS;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The generated OpenAPI description carries every JAX-RS operation of the service, each with a
 * documented success response (a schema, except the bodiless ones listed below), the error shape on
 * every 4xx and 5xx, the bearer scheme and the Idempotency-Key header. A new resource method without
 * a documented response schema fails here.
 */
class OpenApiDocsTest {
  /** Operations whose success has no body: DELETEs answering 204. */
  static final Set<String> NO_BODY = Set.of(
      "DELETE /api/v1/gpu-cards/{id}",
      "DELETE /api/v1/gpu-devices/{id}",
      "DELETE /api/v1/hosts/{id}",
      "DELETE /api/v1/vgpu-profiles/{id}",
      "DELETE /api/v1/offerings/{id}",
      "DELETE /api/v1/templates/{id}",
      "DELETE /api/v1/domains/{id}",
      "DELETE /api/v1/accounts/{id}",
      "DELETE /api/v1/projects/{id}",
      "DELETE /api/v1/users/{id}",
      "DELETE /api/v1/users/{id}/keys/{keyId}");

  static List<Class<?>> resources;
  static OpenAPI api;
  static Map<String, Operation> ops;

  @BeforeAll
  static void generate() throws Exception {
    ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("io.swagger"))
        .setLevel(ch.qos.logback.classic.Level.INFO);
    try (ScanResult scan = new ClassGraph().enableAnnotationInfo().acceptPackages("io.gpucloud.service").scan()) {
      resources = scan.getClassesWithAnnotation(Path.class.getName()).stream()
          .filter(ci -> !ci.isAbstract() && !ci.getName().contains("Test") && !ci.isInnerClass())
          .<Class<?>>map(ci -> ci.loadClass())
          .toList();
    }
    api = OpenApiDocs.generate(resources);
    ops = OpenApiDocs.operations(api);
    Files.writeString(java.nio.file.Path.of("target", "openapi.json"), OpenApiDocs.json(api));
  }

  @Test
  void isOpenApi31WithTheBearerSchemeAppliedGlobally() {
    assertThat(api.getOpenapi()).startsWith("3.1");
    assertThat(api.getComponents().getSecuritySchemes()).containsKey(ApiDefinition.BEARER);
    assertThat(api.getComponents().getSecuritySchemes().get(ApiDefinition.BEARER).getScheme()).isEqualTo("bearer");
    assertThat(api.getSecurity()).anySatisfy(r -> assertThat(r).containsKey(ApiDefinition.BEARER));
    assertThat(OpenApiDocs.json(api)).contains("\"openapi\" : \"3.1");
  }

  @Test
  void carriesEveryJaxRsOperationOfTheRegisteredResources() {
    assertThat(resources).hasSizeGreaterThan(10);
    Set<String> expected = new TreeSet<>();
    for (Class<?> c : resources) {
      if (c.isAnnotationPresent(io.swagger.v3.oas.annotations.Hidden.class)) {
        continue; // the web console's pages (io.gpucloud.service.console): not the API's
      }
      String base = c.getAnnotation(Path.class).value();
      for (Method m : c.getMethods()) {
        String verb = httpMethod(m);
        if (verb == null || Modifier.isStatic(m.getModifiers())) {
          continue;
        }
        Path sub = m.getAnnotation(Path.class);
        expected.add(verb + " " + join(base, sub == null ? "" : sub.value()));
      }
    }
    assertThat(expected).hasSizeGreaterThan(50);
    assertThat(new TreeSet<>(ops.keySet())).isEqualTo(expected);
  }

  @Test
  void leavesTheWebConsoleOut() {
    assertThat(resources).anyMatch(c -> c.getPackageName().endsWith(".console"));
    assertThat(ops.keySet()).noneMatch(k -> k.contains("/console"));
  }

  @Test
  void everyOperationDocumentsASuccessWithASchema() {
    List<String> missing = new ArrayList<>();
    ops.forEach((key, op) -> {
      var success = op.getResponses().entrySet().stream().filter(e -> e.getKey().startsWith("2")).toList();
      if (success.isEmpty()) {
        missing.add(key + ": no 2xx response");
        return;
      }
      if (NO_BODY.contains(key)) {
        return;
      }
      boolean withSchema = success.stream().anyMatch(e -> hasSchema(e.getValue()));
      if (!withSchema) {
        missing.add(key + ": 2xx without a content schema " + success.stream().map(Map.Entry::getKey).toList());
      }
    });
    assertThat(missing).as("operations lacking a documented response schema").isEmpty();
  }

  @Test
  void noOperationDocumentsAnUntypedObjectAsItsSuccess() {
    // a Response or generic return without @ApiResponse(content = @Content(schema = ...)) reads as
    // a bare object or a schema with no type: a missing annotation
    List<String> vague = new ArrayList<>();
    ops.forEach((key, op) -> op.getResponses().forEach((code, r) -> {
      if (code.startsWith("2") && hasSchema(r) && !key.equals("GET /api/v1/openapi.json")) {
        r.getContent().values().forEach(mt -> {
          var s = mt.getSchema();
          boolean bare = s.get$ref() == null && s.getAnyOf() == null && (s.getTypes() == null || s.getTypes().isEmpty() || s.getTypes().contains("object"))
              && s.getProperties() == null && s.getAdditionalProperties() == null && s.getItems() == null;
          if (bare) {
            vague.add(key + " " + code);
          }
        });
      }
    }));
    assertThat(vague).as("success responses with an untyped schema").isEmpty();
  }

  @Test
  void every4xxAnd5xxHasTheErrorSchema() {
    List<String> bad = new ArrayList<>();
    ops.forEach((key, op) -> {
      assertThat(op.getResponses()).as(key).containsKeys("400", "401", "403", "404", "503");
      op.getResponses().forEach((code, r) -> {
        if (code.startsWith("4") || code.startsWith("5")) {
          boolean ok = r.getContent() != null && r.getContent().values().stream()
              .allMatch(mt -> OpenApiDocs.ERROR_REF.equals(mt.getSchema().get$ref()));
          if (!ok) {
            bad.add(key + " " + code);
          }
        }
      });
    });
    assertThat(bad).isEmpty();
    var error = api.getComponents().getSchemas().get(OpenApiDocs.ERROR_SCHEMA);
    assertThat(error.getProperties()).containsOnlyKeys("code", "message");
    assertThat(error.getRequired()).containsExactlyInAnyOrder("code", "message");
  }

  @Test
  void requestBodiesAreDocumentedAndTheAuthParameterIsNot() {
    ops.forEach((key, op) -> {
      if (op.getParameters() != null) {
        assertThat(op.getParameters()).as(key).noneMatch(p -> p.getName().equalsIgnoreCase("caller"));
      }
      if (key.startsWith("GET ") || key.startsWith("DELETE ")) {
        assertThat(op.getRequestBody()).as(key + " has no body").isNull();
      }
    });
    for (String key : List.of("POST /api/v1/gpu-cards", "PUT /api/v1/gpu-cards/{id}", "POST /api/v1/instances",
        "POST /api/v1/offerings", "POST /api/v1/accounts", "POST /api/v1/users", "POST /api/v1/instances/{id}/scale")) {
      var body = ops.get(key).getRequestBody();
      assertThat(body).as(key).isNotNull();
      MediaType mt = body.getContent().get("application/json");
      assertThat(mt).as(key).isNotNull();
      assertThat(mt.getSchema().get$ref()).as(key).isNotNull();
    }
  }

  @Test
  void idempotencyKeyHeaderOnTheInstanceOperations() {
    List<String> with = new ArrayList<>();
    ops.forEach((key, op) -> {
      if (op.getParameters() != null && op.getParameters().stream()
          .anyMatch(p -> "header".equals(p.getIn()) && "Idempotency-Key".equals(p.getName()))) {
        with.add(key);
      }
    });
    assertThat(with).containsExactlyInAnyOrder(
        "POST /api/v1/instances",
        "POST /api/v1/instance-batches",
        "POST /api/v1/instances/{id}/stop",
        "POST /api/v1/instances/{id}/start",
        "POST /api/v1/instances/{id}/reboot",
        "POST /api/v1/instances/{id}/scale",
        "POST /api/v1/instances/{id}/migrate",
        "DELETE /api/v1/instances/{id}");
  }

  @Test
  void operationIdsAreUnique() {
    List<String> ids = ops.values().stream().map(Operation::getOperationId).toList();
    assertThat(ids).doesNotContainNull().doesNotHaveDuplicates();
  }

  private static boolean hasSchema(ApiResponse r) {
    return r.getContent() != null && !r.getContent().isEmpty()
        && r.getContent().values().stream().allMatch(mt -> mt.getSchema() != null);
  }

  private static String httpMethod(Method m) {
    for (Annotation a : m.getAnnotations()) {
      HttpMethod hm = a.annotationType().getAnnotation(HttpMethod.class);
      if (hm != null) {
        return hm.value();
      }
    }
    return null;
  }

  private static String join(String base, String sub) {
    String p = (base + "/" + sub).replaceAll("/+", "/");
    return p.length() > 1 && p.endsWith("/") ? p.substring(0, p.length() - 1) : p;
  }

  @SuppressWarnings("unused")
  private static final List<Class<?>> VERBS = List.of(GET.class, POST.class, PUT.class, DELETE.class, PATCH.class,
      HEAD.class, OPTIONS.class);
}
