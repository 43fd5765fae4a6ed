package io.gpucloud.service.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

/**
 * API keys: {@code gck_} + 32 random bytes in base64url (no padding). Only the SHA-256 hex of a key
 * and its first {@link #PREFIX_LENGTH} characters are stored; the key itself is shown once.
 */
public final class ApiKeys {
  public static final String KEY_PREFIX = "gck_";
  /** Length of the stored prefix (api_keys.prefix is VARCHAR(12)). */
  public static final int PREFIX_LENGTH = 12;
  private static final int KEY_BYTES = 32;
  private static final SecureRandom RANDOM = new SecureRandom();

  private ApiKeys() {}

  /** A new key, e.g. {@code gck_3q2+7w...} (base64url: A-Z a-z 0-9 - _). */
  public static String generate() {
    byte[] bytes = new byte[KEY_BYTES];
    RANDOM.nextBytes(bytes);
    return KEY_PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  /** Lower-case hex SHA-256 of the key's UTF-8 bytes (64 characters). */
  public static String hash(String key) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      return HexFormat.of().formatHex(md.digest(key.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is not available", e);
    }
  }

  /** What api_keys.prefix holds: enough to tell keys apart, too little to guess the key. */
  public static String prefix(String key) {
    return key.length() <= PREFIX_LENGTH ? key : key.substring(0, PREFIX_LENGTH);
  }

  /** Cheap shape check before any database lookup. */
  public static boolean looksLikeKey(String candidate) {
    return candidate != null
        && candidate.startsWith(KEY_PREFIX)
        && candidate.length() > KEY_PREFIX.length()
        && candidate.length() <= 128
        && candidate.chars().skip(KEY_PREFIX.length())
            .allMatch(c -> (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_');
  }
}
