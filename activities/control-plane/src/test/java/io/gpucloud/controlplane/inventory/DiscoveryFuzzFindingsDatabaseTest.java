package io.gpucloud.controlplane.inventory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gpucloud.activities.discovery.DiscoveredGpu;
import io.gpucloud.activities.discovery.DiscoveryProblem;
import io.gpucloud.activities.discovery.DiscoveryReport;
import io.gpucloud.activities.discovery.FullPassthrough;
import io.gpucloud.activities.host.HostActivities;
import io.gpucloud.activities.host.HostRegistration;
import io.gpucloud.controlplane.TestDatabase;
import io.temporal.failure.ApplicationFailure;
import java.util.List;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;

/** What DiscoveryReconcileFuzzTest found in the reconcile, one focused case each, on MariaDB. */
class DiscoveryFuzzFindingsDatabaseTest {
  final Jdbi jdbi = TestDatabase.jdbi();
  final InventoryActivitiesImpl inventory = new InventoryActivitiesImpl(jdbi);
  final String host = "findings-" + UUID.randomUUID().toString().substring(0, 8);
  final String hostId = inventory.registerHost(new HostRegistration(host, "qemu:///system", 8, 2000, 16384, 1,
      "default", false));

  static DiscoveredGpu gpu(String address, String deviceId) {
    return new DiscoveredGpu(address, "10de", deviceId, "NVIDIA Corporation", "GA100", "vfio-pci", null, "12",
        null, 0, 0, 0, new FullPassthrough(true, null, null), 1, 40960L, 1, 0, 0, List.of(), List.of());
  }

  /**
   * Found: a device_id longer than gpu_cards.device_id (CHAR(4)) went into INSERT IGNORE, was cut, and the
   * reconcile failed on "card 10de:20b50 was not resolved" (IllegalStateException), retried for ever by the
   * workflow. Now refused before anything is written: non-retryable InvalidDiscoveryOutput naming the field, a
   * DISCOVERY_FAILED event, no card.
   */
  @Test
  void aReportTheColumnsCannotHoldIsRefusedWholeAndRecorded() {
    DiscoveryReport report = new DiscoveryReport(List.of(gpu("0000:e1:00.0", "20b5"), gpu("0000:e2:00.0", "20b50")));
    assertThatThrownBy(() -> inventory.reconcile(host, "wf-findings", report))
        .isInstanceOfSatisfying(ApplicationFailure.class, e -> {
          assertThat(e.getType()).isEqualTo(HostActivities.INVALID_DISCOVERY_OUTPUT);
          assertThat(e.isNonRetryable()).isTrue();
          assertThat(e.getOriginalMessage()).isEqualTo("discovery report of host " + host + " refused: discovery"
              + " report gpus[1].device_id: expected 4 lower-case hex digits, got \"20b50\"");
        });
    jdbi.useHandle(h -> {
      assertThat(h.createQuery("SELECT COUNT(*) FROM gpu_devices WHERE host_id = :h").bind("h", hostId)
          .mapTo(Integer.class).one()).isZero();
      assertThat(h.createQuery("SELECT CONCAT(level, ' ', type, ' ', workflow_id) FROM host_events WHERE host_id = :h"
          + " ORDER BY id DESC LIMIT 1").bind("h", hostId).mapTo(String.class).one())
          .isEqualTo("ERROR DISCOVERY_FAILED wf-findings");
      assertThat(h.createQuery("SELECT last_discovery_at FROM hosts WHERE id = :h").bind("h", hostId)
          .mapTo(String.class).findOne()).isEmpty();
    });
  }

  /**
   * Found: a problem with a long message naming a device of the host became its error reason whole: "Data too
   * long for column 'error_reason'" (VARCHAR(1024)). Now the reason is cut to the column, and the same report
   * again changes nothing.
   */
  @Test
  void anErrorReasonIsCutToItsColumn() {
    inventory.reconcile(host, "wf-1", new DiscoveryReport(List.of(gpu("0000:e1:00.0", "20b5"))));
    DiscoveryReport unusable = new DiscoveryReport(List.of(), List.of(new DiscoveryProblem(
        DiscoveryProblem.Kind.UNUSABLE, "gpus[0]", "0000:e1:00.0", "gpus[0].vendor_id: " + "é".repeat(5000))));
    inventory.reconcile(host, "wf-2", unusable);
    String reason = jdbi.withHandle(h -> h.createQuery("SELECT error_reason FROM gpu_devices WHERE host_id = :h")
        .bind("h", hostId).mapTo(String.class).one());
    assertThat(reason).hasSize(1024).startsWith(InventoryReconciler.UNUSABLE + " (gpus[0]): gpus[0].vendor_id: ")
        .endsWith("...");
    assertThat(inventory.reconcile(host, "wf-3", unusable).devicesUpdated()).isZero();
  }
}
