package io.gpucloud.service.tenancy;

import com.fasterxml.jackson.databind.JsonNode;
import io.gpucloud.controlplane.settings.DomainSettings;
import io.gpucloud.service.ApiException;

/**
 * The JSON form of a domain-scoped setting's value and its stored (text) form, by the setting's
 * {@link DomainSettings.Kind}: a BOOLEAN is a JSON true/false, stored "true"/"false".
 */
final class SettingValues {
  private SettingValues() {}

  /** The stored form of a JSON value of the scoped setting {@code name}; 400 naming it when invalid. */
  static String stored(String name, JsonNode node) {
    DomainSettings.Kind kind = DomainSettings.SCOPED.get(name);
    String text = switch (kind) {
      case BOOLEAN -> node != null && node.isBoolean() ? node.asText() : String.valueOf(node);
    };
    kind.invalid(name, text).ifPresent(message -> {
      throw ApiException.badRequest(message);
    });
    return text;
  }

  /** The JSON value of a stored value of the scoped setting {@code name}. */
  static Object json(String name, String stored) {
    return switch (DomainSettings.SCOPED.get(name)) {
      case BOOLEAN -> Boolean.valueOf(stored);
    };
  }
}
