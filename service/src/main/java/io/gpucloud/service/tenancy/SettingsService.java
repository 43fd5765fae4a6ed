package io.gpucloud.service.tenancy;

import com.fasterxml.jackson.databind.JsonNode;
import io.gpucloud.controlplane.limits.Limits;
import io.gpucloud.controlplane.settings.DomainSettings;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeSet;
import org.jdbi.v3.core.Jdbi;

/**
 * The global settings (Admin): the default limits (JSON integers, -1 unlimited) and the global value
 * of each domain-scoped setting (JSON of its kind), which a domain may override
 * ({@link DomainSettingsService}).
 */
public class SettingsService {
  private final Jdbi jdbi;
  private final Limits limits;

  public SettingsService(Jdbi jdbi, Limits limits) {
    this.jdbi = jdbi;
    this.limits = limits;
  }

  /** Every known setting: the limits (a missing one reads -1, unlimited), then the domain-scoped ones. */
  public Map<String, Object> settings() {
    return jdbi.withHandle(h -> {
      Map<String, Long> stored = limits.settings(h);
      Map<String, Object> out = new LinkedHashMap<>();
      for (String name : Limits.settingNames()) {
        out.put(name, stored.getOrDefault(name, -1L));
      }
      for (String name : new TreeSet<>(DomainSettings.SCOPED.keySet())) {
        String value = h.createQuery("SELECT `value` FROM settings WHERE name = :name").bind("name", name)
            .mapTo(String.class).findOne()
            .orElseThrow(() -> new IllegalStateException("no global value for setting " + name));
        out.put(name, SettingValues.json(name, value));
      }
      return out;
    });
  }

  /** Sets the named global values, all or none; answers every setting. */
  public Map<String, Object> put(JsonNode body) {
    SettingsRequest.Changes changes = SettingsRequest.parse(body);
    jdbi.useTransaction(h -> {
      changes.limits().forEach((name, value) -> limits.setSetting(h, name, value));
      changes.scoped().forEach((name, value) -> h.createUpdate("INSERT INTO settings (name, `value`)"
              + " VALUES (:name, :value) ON DUPLICATE KEY UPDATE `value` = VALUES(`value`)")
          .bind("name", name).bind("value", value).execute());
    });
    return settings();
  }
}
