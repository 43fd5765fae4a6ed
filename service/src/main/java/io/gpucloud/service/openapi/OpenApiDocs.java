package io.gpucloud.service.openapi;

import com.fasterxml.jackson.annotation.JsonView;
import io.dropwizard.auth.Auth;
import io.gpucloud.service.errors.ErrorBody;
import io.swagger.v3.core.converter.ModelConverters;
import io.swagger.v3.core.util.Json31;
import io.swagger.v3.jaxrs2.Reader;
import io.swagger.v3.jaxrs2.ResolvedParameter;
import io.swagger.v3.oas.integration.SwaggerConfiguration;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.PathItem;
import io.swagger.v3.oas.models.headers.Header;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.IntegerSchema;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.oas.models.responses.ApiResponses;
import com.fasterxml.jackson.databind.introspect.AnnotatedMethod;
import io.swagger.v3.oas.models.ExternalDocumentation;
import io.swagger.v3.oas.models.parameters.Parameter;
import io.swagger.v3.oas.models.parameters.RequestBody;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.servers.Server;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.Produces;
import java.lang.reflect.Method;
import java.util.Optional;
import jakarta.ws.rs.Path;
import java.lang.annotation.Annotation;
import java.lang.reflect.Type;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The API's OpenAPI 3.1 description, generated from the JAX-RS resource classes by swagger-core's
 * {@link Reader}, then completed with what every operation shares: the error responses (all
 * {@link ErrorBody}) and, with {@link ApiDefinition}, the bearer key.
 */
public final class OpenApiDocs {
  public static final String ERROR_SCHEMA = "ErrorBody";
  static final String ERROR_REF = "#/components/schemas/" + ERROR_SCHEMA;

  static {
    // the converters are swagger's singletons: add ours once, ahead of swagger's own resolver
    ModelConverters.getInstance(true).addConverter(new NullableProperties());
  }

  private OpenApiDocs() {}

  /** The description of the given resource classes (those without {@code @Path} are left out). */
  public static OpenAPI generate(Collection<Class<?>> resourceClasses) {
    SwaggerConfiguration config = new SwaggerConfiguration()
        .openAPI31(true)
        .prettyPrint(true)
        .sortOutput(true)
        .readAllResources(true);
    Set<Class<?>> classes = new LinkedHashSet<>();
    classes.add(ApiDefinition.class);
    resourceClasses.stream().filter(c -> c.isAnnotationPresent(Path.class)).forEach(classes::add);
    OpenAPI api = new ApiReader(config).read(classes);
    addErrorResponses(api);
    return api;
  }

  public static String json(OpenAPI api) {
    return Json31.pretty(api);
  }

  /** Every operation's operations, with their path and method, in document order. */
  public static Map<String, Operation> operations(OpenAPI api) {
    Map<String, Operation> ops = new LinkedHashMap<>();
    if (api.getPaths() != null) {
      api.getPaths().forEach((path, item) -> item.readOperationsMap()
          .forEach((method, op) -> ops.put(method.name() + " " + path, op)));
    }
    return ops;
  }

  /**
   * The error statuses an operation documents, each with the {@link ErrorBody} schema: 400 (a bad
   * parameter or body), 401 (no or unknown key), 403 (role or scope), 404 (not found, or not visible
   * to the caller), 503 (database unavailable, with Retry-After); for changes also 409 (state or
   * uniqueness conflicts); with a request body also 413 (over 1 MiB) and 415 (not JSON).
   */
  static void addErrorResponses(OpenAPI api) {
    api.getComponents().addSchemas(ERROR_SCHEMA, errorSchema());
    if (api.getPaths() == null) {
      return;
    }
    api.getPaths().forEach((path, item) -> item.readOperationsMap().forEach((method, op) -> {
      ApiResponses responses = op.getResponses() == null ? new ApiResponses() : op.getResponses();
      op.setResponses(responses);
      successFromDefault(responses);
      List<Integer> codes = new java.util.ArrayList<>(List.of(400, 401, 403, 404, 503));
      if (method != PathItem.HttpMethod.GET) {
        codes.add(409);
      }
      if (op.getRequestBody() != null) {
        codes.add(413);
        codes.add(415);
      }
      for (int code : codes.stream().sorted().toList()) {
        String key = Integer.toString(code);
        ApiResponse r = responses.get(key);
        if (r == null) {
          r = new ApiResponse().description(describe(code));
          responses.addApiResponse(key, r);
        }
        if (r.getContent() == null || r.getContent().isEmpty()) {
          r.setContent(errorContent());
        }
        if (code == 503) {
          r.addHeaderObject("Retry-After", new Header().description("seconds to wait before a retry")
              .schema(new IntegerSchema()));
        }
      }
      // any other 4xx or 5xx an annotation declared: the error shape too
      responses.forEach((k, r) -> {
        if ((k.startsWith("4") || k.startsWith("5")) && (r.getContent() == null || r.getContent().isEmpty())) {
          r.setContent(errorContent());
        }
      });
    }));
  }

  /**
   * A method without {@code @ApiResponse} gets swagger's "default" response, with the return type's
   * schema: that is its 200, or its 204 when it returns nothing (void).
   */
  private static void successFromDefault(ApiResponses responses) {
    boolean has2xx = responses.keySet().stream().anyMatch(k -> k.startsWith("2"));
    ApiResponse dflt = responses.get(ApiResponses.DEFAULT);
    if (has2xx || dflt == null) {
      return;
    }
    boolean withSchema = dflt.getContent() != null
        && dflt.getContent().values().stream().anyMatch(mt -> mt.getSchema() != null);
    if (!withSchema) {
      return; // a Response without @ApiResponse: left as it is, for OpenApiDocsTest to refuse
    }
    responses.remove(ApiResponses.DEFAULT);
    responses.addApiResponse("200", dflt.description("OK"));
    // keep the order 2xx, 4xx, 5xx
    Map<String, ApiResponse> sorted = new java.util.TreeMap<>(responses);
    responses.clear();
    responses.putAll(sorted);
  }

  static Content errorContent() {
    return new Content().addMediaType(jakarta.ws.rs.core.MediaType.APPLICATION_JSON,
        new MediaType().schema(new Schema<>().$ref(ERROR_REF)));
  }

  @SuppressWarnings("rawtypes")
  private static Schema errorSchema() {
    Map<String, Schema> read = ModelConverters.getInstance(true).read(ErrorBody.class);
    Schema s = read.get(ERROR_SCHEMA);
    s.setRequired(List.of("code", "message"));
    s.setDescription("Every error of the API: the HTTP status and a message naming the problem");
    return s;
  }

  private static String describe(int code) {
    return switch (code) {
      case 400 -> "invalid parameter or body; the message names the field";
      case 401 -> "no API key, or an unknown or revoked one";
      case 403 -> "the caller's role or scope does not allow this";
      case 404 -> "no such object, or not visible to the caller";
      case 409 -> "conflicts with the current state (a name taken, an object in use, a state that does not allow it)";
      case 413 -> "request body over 1 MiB";
      case 415 -> "request body is not application/json";
      case 503 -> "the database is unavailable; retry after Retry-After seconds";
      default -> "error";
    };
  }

  /** The Reader, told that an {@code @Auth Caller} parameter comes from the bearer key, not the client. */
  static final class ApiReader extends Reader {
    /** The resource class being read (the class argument of parseMethod is not it). */
    private Class<?> current;

    ApiReader(SwaggerConfiguration config) {
      super(config);
    }

    @Override
    public OpenAPI read(Class<?> cls, String parentPath, String parentMethod, boolean isSubresource,
        RequestBody parentRequestBody, ApiResponses parentResponses, Set<String> parentTags,
        List<Parameter> parentParameters, Set<Class<?>> scannedResources) {
      Class<?> outer = current;
      current = cls;
      try {
        return super.read(cls, parentPath, parentMethod, isSubresource, parentRequestBody, parentResponses,
            parentTags, parentParameters, scannedResources);
      } finally {
        current = outer;
      }
    }

    @Override
    protected ResolvedParameter getParameters(Type type, List<Annotation> annotations, Operation operation,
        Consumes classConsumes, Consumes methodConsumes, JsonView jsonViewAnnotation) {
      if (annotations.stream().anyMatch(a -> a instanceof Auth)) {
        return new ResolvedParameter();
      }
      return super.getParameters(type, annotations, operation, classConsumes, methodConsumes, jsonViewAnnotation);
    }

    /** Operation ids from the resource and method: {@code GpuCardResource.create} is {@code gpuCardCreate}. */
    @Override
    protected Operation parseMethod(Class<?> cls, Method method, List<Parameter> globalParameters,
        Produces methodProduces, Produces classProduces, Consumes methodConsumes, Consumes classConsumes,
        List<SecurityRequirement> classSecurityRequirements, Optional<ExternalDocumentation> classExternalDocs,
        Set<String> classTags, List<Server> classServers, boolean isSubresource, RequestBody parentRequestBody,
        ApiResponses parentResponses, JsonView jsonViewAnnotation,
        io.swagger.v3.oas.annotations.responses.ApiResponse[] classResponses, AnnotatedMethod annotatedMethod) {
      Operation op = super.parseMethod(cls, method, globalParameters, methodProduces, classProduces, methodConsumes,
          classConsumes, classSecurityRequirements, classExternalDocs, classTags, classServers, isSubresource,
          parentRequestBody, parentResponses, jsonViewAnnotation, classResponses, annotatedMethod);
      io.swagger.v3.oas.annotations.Operation annotation =
          method.getAnnotation(io.swagger.v3.oas.annotations.Operation.class);
      if (method.getReturnType() == void.class && method.getAnnotationsByType(
          io.swagger.v3.oas.annotations.responses.ApiResponse.class).length == 0) {
        // returns nothing: Jersey answers 204
        op.getResponses().remove(ApiResponses.DEFAULT);
        op.getResponses().addApiResponse("204", new ApiResponse().description("done; no body"));
      }
      if (annotation == null || annotation.operationId().isEmpty()) {
        String resource = (current == null ? method.getDeclaringClass() : current).getSimpleName()
            .replaceFirst("Resource$", "");
        String name = Character.toLowerCase(resource.charAt(0)) + resource.substring(1);
        op.setOperationId(name + Character.toUpperCase(method.getName().charAt(0)) + method.getName().substring(1));
      }
      return op;
    }
  }
}
