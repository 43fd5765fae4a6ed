package io.gpucloud.service.tenancy;

import com.fasterxml.jackson.databind.JsonNode;
import io.gpucloud.controlplane.limits.Limits;
import io.gpucloud.controlplane.limits.Resource;
import io.gpucloud.controlplane.limits.ScopeType;
import io.gpucloud.controlplane.settings.DomainSettings;
import io.gpucloud.service.ApiException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Body of PUT /api/v1/settings: the global values, {"max.account.gpus": 20, "gpu.detach.on.stop":
 * true, ...}; a limit is an integer >= -1, a domain-scoped setting a value of its kind (its global
 * value cannot be removed: null is refused).
 */
public final class SettingsRequest {
  private SettingsRequest() {}

  /** The changes of one PUT: limit defaults, and global values of domain-scoped settings (stored form). */
  public record Changes(Map<String, Long> limits, Map<String, String> scoped) {}

  /** Every global setting's name: the limits' defaults, then the domain-scoped settings. */
  public static List<String> names() {
    List<String> names = new ArrayList<>(Limits.settingNames());
    names.addAll(new TreeSet<>(DomainSettings.SCOPED.keySet()));
    return names;
  }

  /** The resource a limit setting (max.account.gpus, ...) is about. */
  static Resource resourceOf(String setting) {
    for (Resource r : Resource.values()) {
      for (ScopeType t : ScopeType.values()) {
        if (r.settingKey(t).equals(setting)) {
          return r;
        }
      }
    }
    throw new IllegalArgumentException("not a limit setting: " + setting);
  }

  public static Changes parse(JsonNode body) {
    TenancyChecks.object(body);
    Map<String, Long> limits = new LinkedHashMap<>();
    Map<String, String> scoped = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = body.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (Limits.settingNames().contains(e.getKey())) {
        limits.put(e.getKey(), TenancyChecks.limitValue(e.getKey(), e.getValue(), resourceOf(e.getKey())));
      } else if (DomainSettings.SCOPED.containsKey(e.getKey())) {
        scoped.put(e.getKey(), SettingValues.stored(e.getKey(), e.getValue()));
      } else {
        throw ApiException.badRequest("unknown setting '" + e.getKey() + "' (known settings: "
            + String.join(", ", names()) + ")");
      }
    }
    return new Changes(limits, scoped);
  }
}
