package io.gpucloud.controlplane.inventory;

import io.gpucloud.activities.model.GpuDevice;
import java.util.List;
import java.util.Map;

/**
 * What reconcile needs to know about one host before it applies a report: its devices (read under
 * lock), the card ids and profile ids the report's cards and profiles resolve to, and the libvirt
 * names of the instances the control plane knows.
 *
 * @param cardIds    "vendorId:deviceId" -> card id
 * @param profileIds cardId + "/" + profile name -> profile id
 * @param vmNames    libvirt domain name -> instance id
 */
public record InventorySnapshot(
    String hostId,
    List<GpuDevice> devices,
    Map<String, String> cardIds,
    Map<String, String> profileIds,
    Map<String, String> vmNames) {

  public static String cardKey(String vendorId, String deviceId) {
    return vendorId + ":" + deviceId;
  }

  public static String profileKey(String cardId, String profileName) {
    return cardId + "/" + profileName;
  }
}
