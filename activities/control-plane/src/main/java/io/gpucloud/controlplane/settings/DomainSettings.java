package io.gpucloud.controlplane.settings;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Handle;

/**
 * Settings a domain may override for its subtree. The effective value for a domain is its own,
 * else its nearest ancestor's, else the global one (table settings). Adding a domain-scoped setting
 * is one entry in {@link #SCOPED}.
 */
public final class DomainSettings {
  public static final String GPU_DETACH_ON_STOP = "gpu.detach.on.stop";

  /** What values a setting takes. */
  public enum Kind {
    BOOLEAN;

    /** The value in its stored form, or an error message naming what is wrong. */
    public Optional<String> invalid(String name, String value) {
      return switch (this) {
        case BOOLEAN -> "true".equals(value) || "false".equals(value)
            ? Optional.empty() : Optional.of(name + ": must be true or false");
      };
    }
  }

  /** The domain-scoped settings and their kinds. */
  public static final Map<String, Kind> SCOPED = Map.of(GPU_DETACH_ON_STOP, Kind.BOOLEAN);

  private DomainSettings() {}

  /**
   * The effective value of {@code name} for the domain: the override of the deepest domain on its
   * path (exact path prefix, so '_' and '%' in names match only themselves), else the global value.
   */
  public static String effective(Handle h, String domainId, String name) {
    return h.createQuery("SELECT s.`value` FROM domains me JOIN domains d"
            + " ON LEFT(me.path, CHAR_LENGTH(d.path)) = d.path"
            + " JOIN domain_settings s ON s.domain_id = d.id AND s.name = :name"
            + " WHERE me.id = :domainId ORDER BY CHAR_LENGTH(d.path) DESC LIMIT 1")
        .bind("domainId", domainId).bind("name", name).mapTo(String.class).findOne()
        .or(() -> h.createQuery("SELECT `value` FROM settings WHERE name = :name").bind("name", name)
            .mapTo(String.class).findOne())
        .orElseThrow(() -> new IllegalStateException("no global value for setting " + name));
  }

  /** Every domain-scoped setting's effective value for the domain, and whether the domain sets it itself. */
  public static Map<String, Value> all(Handle h, String domainId) {
    Map<String, String> own = own(h, domainId);
    Map<String, Value> out = new LinkedHashMap<>();
    for (String name : List.copyOf(new java.util.TreeSet<>(SCOPED.keySet()))) {
      out.put(name, new Value(effective(h, domainId, name), own.containsKey(name)));
    }
    return out;
  }

  /** The domain's own overrides. */
  public static Map<String, String> own(Handle h, String domainId) {
    Map<String, String> out = new LinkedHashMap<>();
    h.createQuery("SELECT name, `value` FROM domain_settings WHERE domain_id = :domainId ORDER BY name")
        .bind("domainId", domainId)
        .map((rs, ctx) -> Map.entry(rs.getString(1), rs.getString(2)))
        .forEach(e -> out.put(e.getKey(), e.getValue()));
    return out;
  }

  /** Sets the domain's own value; null removes it, so the domain inherits again. */
  public static void put(Handle h, String domainId, String name, String value) {
    if (value == null) {
      h.createUpdate("DELETE FROM domain_settings WHERE domain_id = :domainId AND name = :name")
          .bind("domainId", domainId).bind("name", name).execute();
    } else {
      h.createUpdate("INSERT INTO domain_settings (domain_id, name, `value`) VALUES (:domainId, :name, :value)"
              + " ON DUPLICATE KEY UPDATE `value` = VALUES(`value`)")
          .bind("domainId", domainId).bind("name", name).bind("value", value).execute();
    }
  }

  /** A setting's effective value for a domain, and whether the domain sets it itself (else inherited). */
  public record Value(String value, boolean own) {}
}
