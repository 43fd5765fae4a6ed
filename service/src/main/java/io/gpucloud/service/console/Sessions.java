package io.gpucloud.service.console;

import io.gpucloud.service.auth.ApiKeys;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;

/**
 * The pure rules of console sessions: tokens (32 random bytes, base64url), their stored hash, idle
 * expiry and the CSRF comparison (constant time). {@link SessionStore} keeps them in MariaDB.
 */
public final class Sessions {
  /** The session cookie's name. */
  public static final String COOKIE = "gpucloud_console";
  /** The form field, and the header htmx sends, that carries the CSRF token. */
  public static final String CSRF_FIELD = "csrf";
  public static final String CSRF_HEADER = "X-CSRF-Token";
  private static final SecureRandom RANDOM = new SecureRandom();

  private Sessions() {}

  /** 32 random bytes, base64url without padding (43 characters). */
  public static String newToken() {
    byte[] b = new byte[32];
    RANDOM.nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  /** What the database keeps of a session token: its SHA-256 hex. */
  public static String hash(String token) {
    return ApiKeys.hash(token);
  }

  /** Whether a token has the shape {@link #newToken} gives (checked before any lookup). */
  public static boolean looksLikeToken(String token) {
    return token != null && token.length() == 43
        && token.chars().allMatch(c -> (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
            || c == '-' || c == '_');
  }

  /** A session last used at {@code lastSeen} is over at {@code now} when it was idle {@code idle} or longer. */
  public static boolean expired(Instant lastSeen, Instant now, Duration idle) {
    return lastSeen == null || !now.isBefore(lastSeen.plus(idle));
  }

  /** The CSRF check: the given token equals the session's (constant time; null or empty never matches). */
  public static boolean csrfMatches(String expected, String given) {
    if (expected == null || given == null || expected.isEmpty() || given.isEmpty()) {
      return false;
    }
    return MessageDigest.isEqual(expected.getBytes(StandardCharsets.UTF_8), given.getBytes(StandardCharsets.UTF_8));
  }

  /** The Set-Cookie value: HttpOnly, SameSite=Strict, Path=/console; Max-Age 0 clears it. */
  public static String cookie(String value, long maxAgeSeconds, boolean secure) {
    return COOKIE + "=" + value + "; Path=/console; Max-Age=" + maxAgeSeconds + "; HttpOnly; SameSite=Strict"
        + (secure ? "; Secure" : "");
  }
}
