package io.gpucloud.service.common;

import io.gpucloud.service.ApiException;
import java.util.Arrays;
import java.util.Locale;
import java.util.UUID;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/** Request validation helpers: every failure is a 400 whose message names the field. */
public final class Checks {
  public static final int MAX_NAME = 255;
  public static final int MAX_DESCRIPTION = 1024;
  private static final Pattern HEX4 = Pattern.compile("[0-9a-fA-F]{4}");
  private static final Pattern CONTROL = Pattern.compile("\\p{Cntrl}");

  private Checks() {}

  /** The trimmed value; 400 "{field} is required" when null or blank, 400 when longer than max. */
  public static String required(String field, String value, int max) {
    if (value == null || value.isBlank()) {
      throw ApiException.badRequest(field + " is required");
    }
    return length(field, value.trim(), max);
  }

  /** The trimmed value or null when absent; 400 when present but blank or too long. */
  public static String optional(String field, String value, int max) {
    if (value == null) {
      return null;
    }
    if (value.isBlank()) {
      throw ApiException.badRequest(field + " must not be blank");
    }
    return length(field, value.trim(), max);
  }

  /**
   * The one rule for names (of cards, profiles, offerings, templates, instances, domains, accounts,
   * projects): required, at most {@link #MAX_NAME} characters (their VARCHAR(255) columns), and no
   * control characters (a tab, a newline, NUL, DEL...); 400 naming the field otherwise. Trimmed.
   */
  public static String name(String field, String value) {
    return name(field, value, MAX_NAME);
  }

  /** {@link #name(String, String)} with a shorter maximum (e.g. an instance's VM name). */
  public static String name(String field, String value, int max) {
    if (value != null && CONTROL.matcher(value).find()) {
      throw ApiException.badRequest(field + " must not contain control characters");
    }
    return required(field, value, max);
  }

  /** An optional name: null when absent, else as {@link #name(String, String)}. */
  public static String optionalName(String field, String value) {
    if (value != null && CONTROL.matcher(value).find()) {
      throw ApiException.badRequest(field + " must not contain control characters");
    }
    return optional(field, value, MAX_NAME);
  }

  /** Like {@link #optional} but a blank string counts as absent (free-text fields, query filters). */
  public static String optionalText(String field, String value, int max) {
    if (value == null || value.isBlank()) {
      return null;
    }
    return length(field, value.trim(), max);
  }

  private static String length(String field, String value, int max) {
    if (value.length() > max) {
      throw ApiException.badRequest(field + " must be at most " + max + " characters");
    }
    return value;
  }

  /** A PCI vendor or device id: exactly 4 hex digits, returned lower case. */
  public static String hex4(String field, String value) {
    if (value == null || value.isBlank()) {
      throw ApiException.badRequest(field + " is required");
    }
    String v = value.trim();
    if (!HEX4.matcher(v).matches()) {
      throw ApiException.badRequest(field + " must be 4 hex digits");
    }
    return v.toLowerCase(Locale.ROOT);
  }

  /** An optional hex id filter: null when absent, else as {@link #hex4}. */
  public static String optionalHex4(String field, String value) {
    return value == null || value.isBlank() ? null : hex4(field, value);
  }

  public static boolean isUuid(String value) {
    if (value == null || value.length() != 36) {
      return false;
    }
    try {
      UUID.fromString(value);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /** A required UUID-shaped id, trimmed and lower case. */
  public static String requiredId(String field, String value) {
    String v = required(field, value, 36 + 10);
    if (!isUuid(v)) {
      throw ApiException.badRequest(field + " must be a UUID");
    }
    return v.toLowerCase(Locale.ROOT);
  }

  /** An optional UUID-shaped id: null when absent or blank. */
  public static String optionalId(String field, String value) {
    return value == null || value.isBlank() ? null : requiredId(field, value);
  }

  public static long atLeast(String field, Long value, long min, long dflt) {
    long v = value == null ? dflt : value;
    if (v < min) {
      throw ApiException.badRequest(field + " must be >= " + min);
    }
    return v;
  }

  public static int atLeast(String field, Integer value, int min, int dflt) {
    int v = value == null ? dflt : value;
    if (v < min) {
      throw ApiException.badRequest(field + " must be >= " + min);
    }
    return v;
  }

  /** An enum constant by name, case-insensitive; 400 listing the allowed names otherwise. */
  public static <E extends Enum<E>> E enumValue(String field, String value, Class<E> type) {
    if (value == null || value.isBlank()) {
      throw ApiException.badRequest(field + " is required");
    }
    String v = value.trim();
    for (E e : type.getEnumConstants()) {
      if (e.name().equalsIgnoreCase(v)) {
        return e;
      }
    }
    throw ApiException.badRequest(field + " must be one of " + names(type));
  }

  /** An optional enum filter: null when absent or blank. */
  public static <E extends Enum<E>> E optionalEnum(String field, String value, Class<E> type) {
    return value == null || value.isBlank() ? null : enumValue(field, value, type);
  }

  static <E extends Enum<E>> String names(Class<E> type) {
    return Arrays.stream(type.getEnumConstants()).map(Enum::name).collect(Collectors.joining(", "));
  }

  /** Escapes LIKE wildcards so a keyword matches literally. */
  public static String likeEscape(String keyword) {
    return keyword.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
  }

  public static <T> T body(T body) {
    if (body == null) {
      throw ApiException.badRequest("request body is required");
    }
    return body;
  }
}
