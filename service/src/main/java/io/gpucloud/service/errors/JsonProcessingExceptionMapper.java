package io.gpucloud.service.errors;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.InvalidDefinitionException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.PropertyBindingException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A request body that is not JSON, or JSON of the wrong shape: 400 with a message naming the field,
 * e.g. {@code field 'vendorId': expected a string}. Jackson's own text is not echoed verbatim (it
 * names Java classes).
 */
public class JsonProcessingExceptionMapper implements ExceptionMapper<JsonProcessingException> {
  private static final Logger LOG = LoggerFactory.getLogger(JsonProcessingExceptionMapper.class);

  @Override
  public Response toResponse(JsonProcessingException e) {
    if (e instanceof InvalidDefinitionException) {
      // our classes cannot be (de)serialized: a server bug, not the client's
      LOG.error("JSON mapping definition error", e);
      return ErrorBody.response(500, "internal error");
    }
    return ErrorBody.response(400, describe(e));
  }

  /** Public so that other code (e.g. resources parsing JSON themselves) can reuse the wording. */
  public static String describe(JsonProcessingException e) {
    if (e instanceof JsonParseException pe) {
      var loc = pe.getLocation();
      String where = loc == null ? "" : " at line " + loc.getLineNr() + ", column " + loc.getColumnNr();
      return "malformed JSON" + where + ": " + firstLine(pe.getOriginalMessage());
    }
    if (!(e instanceof JsonMappingException me)) {
      return "malformed JSON: " + firstLine(e.getOriginalMessage());
    }
    String path = path(me.getPath());
    String problem;
    if (me instanceof PropertyBindingException pbe) {
      // UnrecognizedPropertyException / IgnoredPropertyException
      String name = pbe.getPropertyName();
      path = path.isEmpty() ? name : path;
      Collection<Object> known = pbe.getKnownPropertyIds();
      problem = "unknown field" + (known == null || known.isEmpty() ? ""
          : " (known fields: " + known.stream().map(String::valueOf).sorted().collect(Collectors.joining(", ")) + ")");
    } else if (me instanceof InvalidFormatException ife) {
      problem = expected(ife.getTargetType()) + ", got " + quote(ife.getValue());
    } else if (me instanceof ValueInstantiationException vie) {
      Throwable cause = vie.getCause() == null ? vie : vie.getCause();
      problem = cause.getMessage() == null ? "invalid value" : firstLine(cause.getMessage());
    } else if (me instanceof MismatchedInputException mie) {
      String orig = mie.getOriginalMessage() == null ? "" : mie.getOriginalMessage();
      if (orig.startsWith("No content to map") || orig.contains("end-of-input")) {
        problem = "request body is empty or truncated";
      } else if (orig.startsWith("Missing required creator property")) {
        problem = "is required";
      } else {
        problem = expected(mie.getTargetType());
      }
    } else {
      problem = firstLine(me.getOriginalMessage());
    }
    return path.isEmpty() ? "request body: " + problem : "field '" + path + "': " + problem;
  }

  static String path(List<JsonMappingException.Reference> refs) {
    StringBuilder sb = new StringBuilder();
    for (JsonMappingException.Reference r : refs) {
      if (r.getFieldName() != null) {
        if (sb.length() > 0) {
          sb.append('.');
        }
        sb.append(r.getFieldName());
      } else if (r.getIndex() >= 0) {
        sb.append('[').append(r.getIndex()).append(']');
      }
    }
    return sb.toString();
  }

  static String expected(Class<?> t) {
    if (t == null) {
      return "invalid value";
    }
    if (t == String.class || t == Character.class || t == char.class) {
      return "expected a string";
    }
    if (t == Integer.class || t == int.class || t == Long.class || t == long.class
        || t == Short.class || t == short.class || t == Byte.class || t == byte.class
        || t == BigInteger.class) {
      return "expected an integer";
    }
    if (t == Double.class || t == double.class || t == Float.class || t == float.class
        || t == BigDecimal.class || Number.class.isAssignableFrom(t)) {
      return "expected a number";
    }
    if (t == Boolean.class || t == boolean.class) {
      return "expected a boolean (true or false)";
    }
    if (t.isEnum()) {
      return "expected one of " + Arrays.stream(t.getEnumConstants()).map(String::valueOf).collect(Collectors.joining(", ", "[", "]"));
    }
    if (t.isArray() || Collection.class.isAssignableFrom(t)) {
      return "expected an array";
    }
    if (Map.class.isAssignableFrom(t) || t.isRecord() || !t.getName().startsWith("java.")) {
      return "expected an object";
    }
    return "expected a value of type " + t.getSimpleName();
  }

  private static String quote(Object v) {
    if (v == null) {
      return "null";
    }
    String s = String.valueOf(v);
    if (s.length() > 80) {
      s = s.substring(0, 80) + "...";
    }
    return v instanceof String ? "'" + s + "'" : s;
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "invalid JSON";
    }
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }
}
