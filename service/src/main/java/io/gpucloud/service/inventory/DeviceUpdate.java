package io.gpucloud.service.inventory;

import com.fasterxml.jackson.databind.JsonNode;
import io.gpucloud.service.ApiException;
import io.gpucloud.service.common.Checks;

/**
 * Body of PUT /api/v1/gpu-devices/{id}: only the fields present change. profileId and
 * parentDeviceId may be set to null explicitly (a null profile is allowed only for VGPU_ONLY
 * devices; a null parent detaches the device). Other fields are ignored.
 */
public record DeviceUpdate(
    boolean setProfile, String profileId, boolean setNuma, int numaNode, boolean setParent, String parentDeviceId) {

  public static DeviceUpdate parse(JsonNode body) {
    if (body == null || body.isNull() || body.isMissingNode()) {
      throw ApiException.badRequest("request body is required");
    }
    if (!body.isObject()) {
      throw ApiException.badRequest("request body must be a JSON object");
    }
    boolean setProfile = body.has("profileId");
    String profile = setProfile ? text(body, "profileId") : null;
    boolean setNuma = body.has("numaNode") && !body.get("numaNode").isNull();
    int numa = -1;
    if (setNuma) {
      JsonNode n = body.get("numaNode");
      if (!n.isIntegralNumber() || !n.canConvertToInt()) {
        throw ApiException.badRequest("numaNode must be an integer");
      }
      numa = DeviceRequest.numaNode(n.intValue());
    }
    boolean setParent = body.has("parentDeviceId");
    String parent = setParent ? text(body, "parentDeviceId") : null;
    return new DeviceUpdate(setProfile, profile, setNuma, numa, setParent, parent);
  }

  /** The trimmed string value; null for JSON null or a blank string; 400 for other types. */
  private static String text(JsonNode body, String field) {
    JsonNode n = body.get(field);
    if (n == null || n.isNull()) {
      return null;
    }
    if (!n.isTextual()) {
      throw ApiException.badRequest(field + " must be a string");
    }
    return Checks.optionalText(field, n.textValue(), 64);
  }
}
