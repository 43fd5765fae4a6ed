package io.gpucloud.controlplane.limits;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;

/**
 * One scope of a limit chain: its effective limit per resource (-1 = unlimited; a resource left out
 * is unlimited) and its current usage (a resource left out is 0).
 */
public record ScopeLimits(
    ScopeType type, String id, String name, Map<Resource, Long> limits, Map<Resource, Long> used) {

  public ScopeLimits {
    limits = copy(limits);
    used = copy(used);
  }

  public long limit(Resource r) {
    return limits.getOrDefault(r, LimitCheck.UNLIMITED);
  }

  public long used(Resource r) {
    return used.getOrDefault(r, 0L);
  }

  private static Map<Resource, Long> copy(Map<Resource, Long> m) {
    EnumMap<Resource, Long> c = new EnumMap<>(Resource.class);
    if (m != null) {
      c.putAll(m);
    }
    return Collections.unmodifiableMap(c);
  }
}
