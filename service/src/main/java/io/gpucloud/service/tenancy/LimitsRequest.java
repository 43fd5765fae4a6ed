package io.gpucloud.service.tenancy;

import com.fasterxml.jackson.databind.JsonNode;
import io.gpucloud.controlplane.limits.Resource;
import io.gpucloud.service.ApiException;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.Map;

/**
 * Body of PUT /api/v1/{accounts|domains|projects}/{id}/limits: any of gpuLimit, instanceLimit,
 * cpuLimit, memoryLimit (MiB); an integer from -1 to its maximum ({@link TenancyChecks#maxLimit}) sets
 * the override (-1 = unlimited), null removes it (back to the global default), a field left out is
 * unchanged. A value above the limit of a scope above (LimitService) is refused.
 */
public final class LimitsRequest {
  private LimitsRequest() {}

  /** The JSON field of each resource's limit: gpuLimit, instanceLimit, cpuLimit, memoryLimit. */
  public static String field(Resource r) {
    return switch (r) {
      case GPU -> "gpuLimit";
      case INSTANCE -> "instanceLimit";
      case CPU -> "cpuLimit";
      case MEMORY -> "memoryLimit";
    };
  }

  /** resource -> new override, a null value meaning "remove the override". */
  public static Map<Resource, Long> parse(JsonNode body) {
    TenancyChecks.object(body);
    Map<Resource, Long> out = new EnumMap<>(Resource.class);
    for (Iterator<Map.Entry<String, JsonNode>> it = body.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      Resource r = resource(e.getKey());
      JsonNode v = e.getValue();
      out.put(r, v == null || v.isNull() ? null : TenancyChecks.limitValue(e.getKey(), v, r));
    }
    return out;
  }

  private static Resource resource(String field) {
    for (Resource r : Resource.values()) {
      if (field(r).equals(field)) {
        return r;
      }
    }
    throw ApiException.badRequest(
        "field '" + field + "': unknown field (known fields: cpuLimit, gpuLimit, instanceLimit, memoryLimit)");
  }
}
