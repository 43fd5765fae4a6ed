package io.gpucloud.service.tenancy;

import com.fasterxml.jackson.databind.JsonNode;
import io.gpucloud.service.ApiException;
import io.gpucloud.service.common.Checks;
import java.util.regex.Pattern;

/** Validation shared by the tenancy requests; every failure is a 400 naming the field. */
final class TenancyChecks {
  /** Names of domains, accounts and projects: no '/', which separates the segments of a domain path. */
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9 ._@+-]*");
  static final int MAX_PATH = 1024;
  static final int MAX_ID = 64;

  private TenancyChecks() {}

  /** A required name of a domain, account or project. */
  static String name(String field, String value) {
    String v = Checks.required(field, value, Checks.MAX_NAME);
    if (!NAME.matcher(v).matches()) {
      throw ApiException.badRequest(
          field + " must start with a letter or digit and contain only letters, digits, spaces and . _ @ + -");
    }
    return v;
  }

  /** An optional name: null when absent, else as {@link #name}. */
  static String optionalName(String field, String value) {
    return value == null ? null : name(field, value);
  }

  /**
   * The new name of a PUT of a domain, account or project (null when left out); the parent, which
   * cannot change, may be repeated as it is (an id compared case-insensitively), else 400 {@code moved}.
   */
  static String rename(String name, String parentField, String parent, String currentParent, String moved) {
    String p = optionalId(parentField, parent);
    if (p != null && !p.equalsIgnoreCase(String.valueOf(currentParent))) {
      throw ApiException.badRequest(moved);
    }
    return optionalName("name", name);
  }

  /** An optional id (any non-blank text up to 64 characters), trimmed; null when absent or blank. */
  static String optionalId(String field, String value) {
    return Checks.optionalText(field, value, MAX_ID);
  }

  static int requiredAtLeast(String field, Integer value, int min) {
    if (value == null) {
      throw ApiException.badRequest(field + " is required");
    }
    return Checks.atLeast(field, value, min, min);
  }

  static long requiredAtLeast(String field, Long value, long min) {
    if (value == null) {
      throw ApiException.badRequest(field + " is required");
    }
    return Checks.atLeast(field, value, min, min);
  }

  /** A limit value in a JSON body: an integer >= -1 (-1 = unlimited). */
  static long limitValue(String field, JsonNode node) {
    if (node == null || !node.isIntegralNumber() || !node.canConvertToLong() || node.asLong() < -1) {
      throw ApiException.badRequest(field + " must be an integer >= -1 (-1 = unlimited)");
    }
    return node.asLong();
  }

  static JsonNode object(JsonNode body) {
    if (body == null || body.isNull() || body.isMissingNode()) {
      throw ApiException.badRequest("request body is required");
    }
    if (!body.isObject()) {
      throw ApiException.badRequest("request body must be a JSON object");
    }
    return body;
  }
}
