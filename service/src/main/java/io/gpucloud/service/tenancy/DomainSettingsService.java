package io.gpucloud.service.tenancy;

import com.fasterxml.jackson.databind.JsonNode;
import io.gpucloud.controlplane.settings.DomainSettings;
import io.gpucloud.service.ApiException;
import io.gpucloud.service.auth.Caller;
import io.gpucloud.service.auth.Scope;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeSet;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * GET/PUT /api/v1/domains/{id}/settings: the domain-scoped settings ({@link DomainSettings#SCOPED};
 * a new one is an entry there, nothing here), each with its effective value for the domain and
 * whether the domain sets it itself or inherits it (from the nearest ancestor that sets it, else the
 * global value). An Admin reads and sets any domain's; a DomainAdmin those of its subtree, its own
 * domain included; anything else is 404 (out of sight) or 403.
 */
public class DomainSettingsService {
  private final Jdbi jdbi;
  private final DomainService domains;

  public DomainSettingsService(Jdbi jdbi, DomainService domains) {
    this.jdbi = jdbi;
    this.domains = domains;
  }

  /** A setting's effective value (JSON of its kind) and whether the domain sets it itself. */
  @io.swagger.v3.oas.annotations.media.Schema(name = "DomainSetting")
  public record Setting(Object value, boolean own) {}

  /** The domain and its settings, by name. */
  @io.swagger.v3.oas.annotations.media.Schema(name = "DomainSettingsView")
  public record View(String domainId, String domainPath, Map<String, Setting> settings) {}

  public View get(Caller caller, String domainId) {
    return jdbi.withHandle(h -> view(h, visible(h, Scope.read(h, caller), domainId)));
  }

  /**
   * Sets the domain's own values: {"gpu.detach.on.stop": true}; null removes the domain's own value, so
   * it inherits again. All or none; an unknown name or a wrong value is 400 naming it.
   */
  public View put(Caller caller, String domainId, JsonNode body) {
    Map<String, String> changes = parse(body);
    return jdbi.inTransaction(h -> {
      DomainRow d = visible(h, Scope.read(h, caller), domainId);
      changes.forEach((name, value) -> DomainSettings.put(h, d.id(), name, value));
      return view(h, d);
    });
  }

  /** name -> stored value (null: remove the override). */
  static Map<String, String> parse(JsonNode body) {
    TenancyChecks.object(body);
    Map<String, String> out = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = body.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (!DomainSettings.SCOPED.containsKey(e.getKey())) {
        throw ApiException.badRequest("unknown setting '" + e.getKey() + "' (domain settings: "
            + String.join(", ", new TreeSet<>(DomainSettings.SCOPED.keySet())) + ")");
      }
      out.put(e.getKey(), e.getValue() == null || e.getValue().isNull() ? null
          : SettingValues.stored(e.getKey(), e.getValue()));
    }
    return out;
  }

  private DomainRow visible(Handle h, Scope scope, String domainId) {
    DomainRow d = domains.visible(h, scope, domainId);
    if (!scope.managesContentsOf(d.path())) {
      throw ApiException.forbidden("forbidden: the settings of domain " + d.path()
          + " are for an Admin or a DomainAdmin of its subtree");
    }
    return d;
  }

  private static View view(Handle h, DomainRow d) {
    Map<String, Setting> out = new LinkedHashMap<>();
    DomainSettings.all(h, d.id()).forEach((name, v) -> out.put(name, new Setting(SettingValues.json(name, v.value()),
        v.own())));
    return new View(d.id(), d.path(), out);
  }
}
