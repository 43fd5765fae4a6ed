package io.gpucloud.service.tenancy;

import com.fasterxml.jackson.databind.JsonNode;
import io.gpucloud.controlplane.limits.Resource;
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
    String v = Checks.name(field, value);
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

  /**
   * The most a limit of a resource may be set to (a larger one is a typo, or an overflow waiting to
   * happen in the sums it is compared with): 1,000,000 GPUs, 10,000,000 instances, 100,000,000 CPU
   * cores, 1 PiB of memory (in MiB).
   */
  static long maxLimit(Resource r) {
    return switch (r) {
      case GPU -> 1_000_000L;
      case INSTANCE -> 10_000_000L;
      case CPU -> 100_000_000L;
      case MEMORY -> 1L << 30; // MiB: 1 PiB
    };
  }

  /** A limit value of {@code resource} in a JSON body: an integer from -1 (unlimited) to {@link #maxLimit}. */
  static long limitValue(String field, JsonNode node, Resource resource) {
    long max = maxLimit(resource);
    if (node == null || !node.isIntegralNumber() || !node.canConvertToLong() || node.asLong() < -1
        || node.asLong() > max) {
      throw ApiException.badRequest(field + " must be an integer >= -1 (-1 = unlimited) and <= " + max);
    }
    return node.asLong();
  }

  /** An integer field between min and max; 400 naming the field and the bounds otherwise. */
  static int requiredBetween(String field, Integer value, int min, int max) {
    int v = requiredAtLeast(field, value, min);
    if (v > max) {
      throw ApiException.badRequest(field + " must be <= " + max);
    }
    return v;
  }

  static long requiredBetween(String field, Long value, long min, long max) {
    long v = requiredAtLeast(field, value, min);
    if (v > max) {
      throw ApiException.badRequest(field + " must be <= " + max);
    }
    return v;
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
