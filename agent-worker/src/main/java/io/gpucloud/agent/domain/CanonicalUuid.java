package io.gpucloud.agent.domain;

import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The one UUID rule of the agent, for instance ids (the domain's uuid, the name of the agent's state files) and
 * mdev uuids (in the domain XML, the node device name, sysfs paths, the discovery report).
 *
 * <p>Accepted: the canonical form, 8-4-4-4-12 ASCII hex digits, in any case, with surrounding white space
 * ({@link String#strip()}); the result is that form in lower case, as libvirt, sysfs and {@link java.util.UUID}
 * write it. Refused: everything else, including what {@link java.util.UUID#fromString} lets through
 * ("1-2-3-4-5", digits other than ASCII, a sign), a form without dashes, braces or a {@code urn:uuid:} prefix:
 * such a text would name a different file or device than the same uuid written canonically.
 */
public final class CanonicalUuid {
  private static final Pattern CANONICAL =
      Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

  private CanonicalUuid() {}

  /** The lower-case canonical form of {@code text}, or empty when it is not a UUID (or null). */
  public static Optional<String> tryNormalize(String text) {
    if (text == null) {
      return Optional.empty();
    }
    String t = text.strip();
    return CANONICAL.matcher(t).matches() ? Optional.of(t.toLowerCase(Locale.ROOT)) : Optional.empty();
  }

  /**
   * The lower-case canonical form of {@code text}.
   *
   * @param what what the text is, for the message ("instance id", "mdev uuid of device d-1")
   * @throws IllegalArgumentException "{@code <what>} is required" for null, "{@code <what> '<text>'} is not a
   *     UUID" otherwise
   */
  public static String normalize(String text, String what) {
    if (text == null) {
      throw new IllegalArgumentException(what + " is required");
    }
    return tryNormalize(text).orElseThrow(() -> new IllegalArgumentException(what + " '" + text + "' is not a UUID"));
  }
}
