package io.gpucloud.service.tenancy;

import com.fasterxml.jackson.databind.JsonNode;
import io.gpucloud.controlplane.limits.Limits;
import io.gpucloud.service.ApiException;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/** Body of PUT /api/v1/settings: {"max.account.gpus": 20, ...}, each an integer >= -1. */
public final class SettingsRequest {
  private SettingsRequest() {}

  public static Map<String, Long> parse(JsonNode body) {
    TenancyChecks.object(body);
    Map<String, Long> out = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = body.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (!Limits.settingNames().contains(e.getKey())) {
        throw ApiException.badRequest("unknown setting '" + e.getKey() + "' (known settings: "
            + String.join(", ", Limits.settingNames()) + ")");
      }
      out.put(e.getKey(), TenancyChecks.limitValue(e.getKey(), e.getValue()));
    }
    return out;
  }
}
