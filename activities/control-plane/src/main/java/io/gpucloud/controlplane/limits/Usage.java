package io.gpucloud.controlplane.limits;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;

/** Limits and usage of one account, domain or project, per resource. */
public record Usage(ScopeType type, String id, String name, Map<Resource, ResourceUsage> resources) {

  public Usage {
    EnumMap<Resource, ResourceUsage> copy = new EnumMap<>(Resource.class);
    copy.putAll(resources);
    resources = Collections.unmodifiableMap(copy);
  }

  public ResourceUsage get(Resource r) {
    return resources.get(r);
  }
}
