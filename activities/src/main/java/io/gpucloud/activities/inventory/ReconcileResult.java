package io.gpucloud.activities.inventory;

/** What one reconcile changed, for the workflow result and the host event. */
public record ReconcileResult(
    String hostId,
    int cardsCreated,
    int profilesCreated,
    int devicesAdded,
    int devicesUpdated,
    int devicesMarkedError,
    int devicesRecovered,
    int devicesReported) {

  public String summary() {
    return "reported " + devicesReported + " devices: " + devicesAdded + " added, " + devicesUpdated
        + " updated, " + devicesMarkedError + " marked Error, " + devicesRecovered + " back to Free; "
        + cardsCreated + " cards and " + profilesCreated + " profiles created";
  }
}
