package io.gpucloud.controlplane.inventory;

import io.gpucloud.activities.model.GpuDevice;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Device rows to insert (parents before children) and to rewrite, as decided by InventoryReconciler, and
 * what changed, for the host events and the workflow result. Everything here is measured against the
 * inventory before the run: a rediscovery that changes nothing has no updates, errors or transitions.
 *
 * @param errors      "address: reason" of each device that went to Error, or whose error reason changed
 * @param warnings    fields taken as unknown or derived, and left-out entries that match no device
 * @param markedError devices that went to Error (a parent whose error only comes from a child not counted)
 * @param recovered   devices that left Error
 * @param reported    devices the report describes (parents, VFs and vGPUs)
 * @param keptOut     entries left out by the agent (unusable, or the host's console display)
 * @param transitions "Free -> Error" and the like: how many devices made each state change
 */
public record ReconcilePlan(
    List<GpuDevice> inserts,
    List<GpuDevice> updates,
    List<String> errors,
    List<String> warnings,
    int markedError,
    int recovered,
    int reported,
    int keptOut,
    Map<String, Integer> transitions) {

  /** One line for the DISCOVERY_OK event, e.g. "reported 70 devices: 2 added, 1 updated (1 Free -> Error)". */
  public String summary(int cardsCreated, int profilesCreated) {
    StringBuilder b = new StringBuilder("reported ").append(reported).append(reported == 1 ? " device" : " devices");
    if (keptOut > 0) {
      b.append(", ").append(keptOut).append(keptOut == 1 ? " entry" : " entries").append(" left out");
    }
    if (inserts.isEmpty() && updates.isEmpty() && cardsCreated == 0 && profilesCreated == 0) {
      return b.append(": no change").toString();
    }
    b.append(": ").append(inserts.size()).append(" added, ").append(updates.size()).append(" updated");
    if (!transitions.isEmpty()) {
      b.append(" (").append(transitions.entrySet().stream().map(e -> e.getValue() + " " + e.getKey())
          .collect(Collectors.joining(", "))).append(')');
    }
    if (cardsCreated > 0 || profilesCreated > 0) {
      b.append("; ").append(cardsCreated).append(cardsCreated == 1 ? " card and " : " cards and ")
          .append(profilesCreated).append(profilesCreated == 1 ? " profile created" : " profiles created");
    }
    return b.toString();
  }
}
