package io.gpucloud.service.openapi;

import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonNode;
import io.swagger.v3.core.converter.AnnotatedType;
import io.swagger.v3.core.converter.ModelConverter;
import io.swagger.v3.core.converter.ModelConverterContext;
import io.swagger.v3.core.util.Json;
import io.swagger.v3.oas.models.media.JsonSchema;
import io.swagger.v3.oas.models.media.Schema;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Schema rules swagger does not know of itself:
 * <ul>
 *   <li>the API writes absent values as {@code null} (Jackson's default), so a property whose Java type
 *       is not primitive is nullable: {@code "type": ["string", "null"]}, or {@code anyOf [X, null]}
 *       for a reference or an enum;</li>
 *   <li>a {@link JsonNode} body (partial updates read field by field) is a JSON object, a JsonNode
 *       property any JSON value, null included;</li>
 *   <li>a value of Java type {@code Object} is any JSON value (swagger says "object").</li>
 * </ul>
 */
final class NullableProperties implements ModelConverter {
  @Override
  @SuppressWarnings({"rawtypes", "unchecked"})
  public Schema resolve(AnnotatedType type, ModelConverterContext context, Iterator<ModelConverter> chain) {
    JavaType javaType = type.getType() == null ? null : Json.mapper().constructType(type.getType());
    if (javaType != null && JsonNode.class.isAssignableFrom(javaType.getRawClass()) && type.isSchemaProperty()) {
      return new JsonSchema().description("any JSON value"); // e.g. a workflow's result, null while it runs
    }
    if (javaType != null && JsonNode.class.isAssignableFrom(javaType.getRawClass())) {
      return new JsonSchema().types(new LinkedHashSet<>(Set.of("object")))
          .description("a JSON object; the fields to change");
    }
    if (javaType != null && javaType.getRawClass() == Object.class) {
      return new JsonSchema().description("any JSON value"); // e.g. a setting's value: a number, a boolean...
    }
    if (!chain.hasNext()) {
      return null;
    }
    Schema s = chain.next().resolve(type, context, chain);
    if (s == null || !type.isSchemaProperty() || javaType == null || javaType.isPrimitive()) {
      return s;
    }
    if (s.get$ref() != null || s.getEnum() != null) {
      return new JsonSchema().anyOf(List.of(s, new JsonSchema().types(new LinkedHashSet<>(Set.of("null")))));
    }
    if (s.getTypes() != null && !s.getTypes().isEmpty()) {
      Set<String> types = new LinkedHashSet<>(s.getTypes());
      types.add("null");
      s.setTypes(types);
    }
    return s;
  }
}
