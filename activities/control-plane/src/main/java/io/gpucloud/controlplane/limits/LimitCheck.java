package io.gpucloud.controlplane.limits;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The arithmetic of limits, free of any database: effective limits, whether a request fits a chain
 * of scopes (project, account, the account's domain and each ancestor up to ROOT), what is left.
 */
public final class LimitCheck {
  /** A limit of -1 means unlimited. */
  public static final long UNLIMITED = -1;

  private LimitCheck() {}

  /**
   * The limit that applies to a scope: its own override when there is one, else the global default
   * for its scope type ({@code max.<type>.<resource>}); the ROOT domain (the whole cloud) is
   * unlimited unless it has an override, so a default of 20 per domain does not cap the cloud at 20.
   * A missing default is unlimited.
   */
  public static long effectiveLimit(ScopeType type, boolean rootDomain, Long override, Long globalDefault) {
    if (override != null) {
      return normalize(override);
    }
    if (type == ScopeType.DOMAIN && rootDomain) {
      return UNLIMITED;
    }
    return globalDefault == null ? UNLIMITED : normalize(globalDefault);
  }

  private static long normalize(long limit) {
    return limit < 0 ? UNLIMITED : limit;
  }

  /** Effective limits of one scope for every resource (settings: setting name -> value). */
  public static Map<Resource, Long> effectiveLimits(
      ScopeType type, boolean rootDomain, Map<Resource, Long> overrides, Map<String, Long> settings) {
    Map<Resource, Long> out = new EnumMap<>(Resource.class);
    for (Resource r : Resource.values()) {
      out.put(r, effectiveLimit(type, rootDomain, overrides.get(r), settings.get(r.settingKey(type))));
    }
    return out;
  }

  /** What is left under a limit: -1 when unlimited, never below 0 (a limit may be lowered below usage). */
  public static long available(long limit, long used) {
    if (limit < 0) {
      return UNLIMITED;
    }
    return Math.max(0, limit - used);
  }

  /** Whether {@code requested} more fits under {@code limit} with {@code used} in use. */
  public static boolean fits(long limit, long used, long requested) {
    return limit < 0 || requested <= 0 || used + requested <= limit;
  }

  /** Whether a scope needs its usage counted (and its row locked) for this request. */
  public static boolean limits(ScopeLimits scope, ResourceRequest request) {
    for (Resource r : Resource.values()) {
      if (request.get(r) > 0 && scope.limit(r) >= 0) {
        return true;
      }
    }
    return false;
  }

  /**
   * The first limit of the chain that the request does not fit in, scope by scope in the order
   * given (project, account, then domains from the account's own up to ROOT), resource by resource
   * (GPU, INSTANCE, CPU, MEMORY); empty when it fits everywhere. A resource the request does not
   * ask for never fails, even where usage is already above a lowered limit.
   */
  public static Optional<LimitExceeded> check(List<ScopeLimits> chain, ResourceRequest request) {
    for (ScopeLimits scope : chain) {
      for (Resource r : Resource.values()) {
        long requested = request.get(r);
        long limit = scope.limit(r);
        long used = scope.used(r);
        if (!fits(limit, used, requested)) {
          return Optional.of(new LimitExceeded(scope.type(), scope.name(), r, limit, used, requested));
        }
      }
    }
    return Optional.empty();
  }

  /** Throws {@link LimitExceededException} for the first limit the request does not fit in. */
  public static void require(List<ScopeLimits> chain, ResourceRequest request) {
    check(chain, request).ifPresent(e -> {
      throw new LimitExceededException(e);
    });
  }

  /**
   * Whether an account (or sub-domain) whose domain path is {@code candidatePath} lies in the subtree
   * of the domain with path {@code domainPath}. Paths look like {@code /ROOT/child/}; the trailing
   * slash keeps {@code /ROOT/ab/} out of {@code /ROOT/a/}'s subtree. Mirrors the SQL prefix match.
   */
  public static boolean inSubtree(String domainPath, String candidatePath) {
    return domainPath != null && candidatePath != null && domainPath.endsWith("/")
        && candidatePath.regionMatches(true, 0, domainPath, 0, domainPath.length());
  }

  /** Adds usage {@code add} into {@code total}. */
  public static Map<Resource, Long> plus(Map<Resource, Long> total, Map<Resource, Long> add) {
    Map<Resource, Long> out = new EnumMap<>(Resource.class);
    for (Resource r : Resource.values()) {
      out.put(r, total.getOrDefault(r, 0L) + add.getOrDefault(r, 0L));
    }
    return out;
  }

  /** Usage of one instance-shaped request, as a map. */
  public static Map<Resource, Long> asUsage(ResourceRequest request) {
    Map<Resource, Long> out = new EnumMap<>(Resource.class);
    for (Resource r : Resource.values()) {
      out.put(r, request.get(r));
    }
    return out;
  }
}
