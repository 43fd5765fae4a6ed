package io.gpucloud.controlplane.inventory;

import io.gpucloud.controlplane.metrics.ControlPlaneMetrics;
import io.gpucloud.activities.inventory.InventoryActivities;
import io.gpucloud.activities.inventory.ReconcileResult;
import io.gpucloud.activities.discovery.DiscoveredGpu;
import io.gpucloud.activities.discovery.DiscoveryReport;
import io.gpucloud.activities.discovery.DiscoveryReportValidator;
import io.gpucloud.activities.discovery.InvalidDiscoveryOutputException;
import io.gpucloud.activities.host.HostActivities;
import io.gpucloud.activities.discovery.VirtualGpu;
import io.gpucloud.activities.host.HostRegistration;
import io.gpucloud.activities.model.VgpuProfile;
import io.temporal.failure.ApplicationFailure;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.transaction.TransactionIsolationLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Control-plane inventory activities on MariaDB. Each call is one transaction and safe to repeat. */
public class InventoryActivitiesImpl implements InventoryActivities {
  private static final Logger LOG = LoggerFactory.getLogger(InventoryActivitiesImpl.class);
  private static final int MAX_EVENT_CHARS = 8000;
  static final String NO_MORE_WARNINGS = "the discovery output has no problems any more";

  private final Jdbi jdbi;

  public InventoryActivitiesImpl(Jdbi jdbi) {
    this.jdbi = jdbi;
  }

  @Override
  public String registerHost(HostRegistration registration) {
    return jdbi.inTransaction(h -> {
      InventoryDao dao = h.attach(InventoryDao.class);
      dao.upsertHost(UUID.randomUUID().toString(), registration);
      String id = dao.hostByName(registration.hostName()).orElseThrow().id();
      dao.insertEvent(id, "INFO", "HOST_REGISTERED", "agent worker registered: " + registration.cpuCores()
          + " CPU x " + registration.cpuMhz() + " MHz, " + registration.memoryMb() + " MB, "
          + registration.hypervisorUri(), null);
      return id;
    });
  }

  @Override
  public ReconcileResult reconcile(String hostName, String workflowId, DiscoveryReport report) {
    try {
      // before anything is written: a report the columns cannot hold, or in another form than the agent's
      // parser makes, is refused whole (a database error half-way would be retried for ever)
      DiscoveryReportValidator.validate(report);
    } catch (InvalidDiscoveryOutputException e) {
      String message = "discovery report of host " + hostName + " refused: " + e.getMessage();
      LOG.warn(message);
      recordDiscoveryFailure(hostName, workflowId, message);
      throw ApplicationFailure.newNonRetryableFailureWithCause(message, HostActivities.INVALID_DISCOVERY_OUTPUT, e);
    }
    String[] summary = new String[1];
    ReconcileResult result = jdbi.inTransaction(TransactionIsolationLevel.READ_COMMITTED, h -> {
      InventoryDao dao = h.attach(InventoryDao.class);
      String hostId = dao.lockHost(hostName).orElseThrow(() -> unknownHost(hostName));
      int[] created = new int[2];
      Map<String, String> cardIds = new HashMap<>();
      Map<String, String> profileIds = new HashMap<>();
      for (DiscoveredGpu gpu : report.gpus()) {
        String cardId = ensureCard(dao, gpu, cardIds, profileIds, created);
        if (!gpu.hostsVirtualFunctions()) {
          continue;
        }
        DiscoveredLayout layout = DiscoveredLayout.of(gpu);
        for (DiscoveredLayout.ProfileNeed need : layout.profileNeeds()) { // vGPU vehicles have none
          if (need.defaultVf()) {
            ensureDefaultVfProfile(dao, cardId, layout, need.sample(), profileIds, created);
          } else {
            ensureProfile(dao, cardId, need.sample(), need.name(), profileIds, created);
          }
        }
      }
      InventorySnapshot snapshot =
          new InventorySnapshot(hostId, dao.lockDevices(hostId), cardIds, profileIds, dao.vmNames());
      ReconcilePlan plan =
          InventoryReconciler.plan(snapshot, report, () -> UUID.randomUUID().toString(), Instant.now());
      dao.insertDevices(plan.inserts());
      dao.updateDevices(plan.updates());
      dao.markDiscovered(hostId);
      ReconcileResult r = new ReconcileResult(hostId, created[0], created[1], plan.inserts().size(),
          plan.updates().size(), plan.markedError(), plan.recovered(), plan.reported());
      summary[0] = plan.summary(created[0], created[1]);
      dao.insertEvent(hostId, "INFO", "DISCOVERY_OK", summary[0], workflowId);
      if (!plan.errors().isEmpty()) {
        dao.insertEvent(hostId, "ERROR", "DEVICE_ERROR", truncate(String.join("; ", plan.errors())), workflowId);
      }
      recordWarnings(dao, hostId, workflowId, plan.warnings());
      return r;
    });
    LOG.info("discovery of {} reconciled: {}", hostName, summary[0]);
    return result;
  }

  /**
   * Warnings about the script's output come back on every run while the script prints the same thing: they
   * are recorded when they differ from the last ones recorded for the host, and once when they are gone.
   */
  private static void recordWarnings(InventoryDao dao, String hostId, String workflowId, List<String> warnings) {
    String last = dao.lastEventMessage(hostId, "DISCOVERY_WARNING").orElse(null);
    if (!warnings.isEmpty()) {
      String message = truncate(warnings.size() + (warnings.size() == 1 ? " problem" : " problems")
          + " in the discovery output: " + String.join("; ", warnings));
      if (!message.equals(last)) {
        dao.insertEvent(hostId, "WARN", "DISCOVERY_WARNING", message, workflowId);
      }
    } else if (last != null && !last.equals(NO_MORE_WARNINGS)) {
      dao.insertEvent(hostId, "INFO", "DISCOVERY_WARNING", NO_MORE_WARNINGS, workflowId);
    }
  }

  @Override
  public void recordDiscoveryFailure(String hostName, String workflowId, String message) {
    jdbi.useTransaction(h -> {
      InventoryDao dao = h.attach(InventoryDao.class);
      String hostId = dao.hostByName(hostName).orElseThrow(() -> unknownHost(hostName)).id();
      dao.insertEvent(hostId, "ERROR", "DISCOVERY_FAILED", truncate(message), workflowId);
      ControlPlaneMetrics.afterCommit(h, () -> ControlPlaneMetrics.discoveryFailed(hostName));
    });
  }

  private static String ensureCard(InventoryDao dao, DiscoveredGpu gpu, Map<String, String> cardIds,
      Map<String, String> profileIds, int[] created) {
    String key = InventorySnapshot.cardKey(gpu.vendorId(), gpu.deviceId());
    String cardId = cardIds.get(key);
    if (cardId == null) {
      String deviceName = gpu.device() == null || gpu.device().isBlank() ? key : gpu.device();
      String vendorName = gpu.vendor() == null || gpu.vendor().isBlank() ? gpu.vendorId() : gpu.vendor();
      created[0] += dao.insertCardIfAbsent(UUID.randomUUID().toString(), gpu.vendorId(), gpu.deviceId(), vendorName,
          deviceName, deviceName) == 1 ? 1 : 0;
      cardId = dao.cardId(gpu.vendorId(), gpu.deviceId());
      cardIds.put(key, cardId);
      // Every card has its passthrough profile, whatever this host does with it.
      VgpuProfile passthrough = new VgpuProfile(UUID.randomUUID().toString(), cardId, VgpuProfile.PASSTHROUGH,
          "Whole GPU passed through to one instance", 0, 1, 0, 0, 1, null);
      ensureProfile(dao, passthrough, profileIds, created);
    }
    return cardId;
  }

  private static void ensureProfile(InventoryDao dao, String cardId, VirtualGpu v, String name,
      Map<String, String> profileIds, int[] created) {
    if (profileIds.containsKey(InventorySnapshot.profileKey(cardId, name))) {
      return;
    }
    ensureProfile(dao, new VgpuProfile(UUID.randomUUID().toString(), cardId, name, null,
        orZero(v.videoRam()), v.maxHeads() == null ? 1 : v.maxHeads(), orZero(v.maxResolutionX()),
        orZero(v.maxResolutionY()), v.maxInstances() == null || v.maxInstances() < 1 ? 1 : v.maxInstances(), null),
        profileIds, created);
  }

  /**
   * The profile of VFs the script did not name ({@link DiscoveredLayout#defaultVfProfileName}): found by its
   * name, or by its description once an operator renamed it, else created.
   */
  private static void ensureDefaultVfProfile(InventoryDao dao, String cardId, DiscoveredLayout layout,
      VirtualGpu v, Map<String, String> profileIds, int[] created) {
    String name = layout.defaultVfProfileName();
    String key = InventorySnapshot.profileKey(cardId, name);
    if (profileIds.containsKey(key)) {
      return;
    }
    String description = layout.defaultVfDescription();
    Optional<String> found = dao.profileIdByNameOrDescription(cardId, name, description);
    if (found.isPresent()) {
      profileIds.put(key, found.get());
      return;
    }
    created[1] += dao.insertProfileIfAbsent(new VgpuProfile(UUID.randomUUID().toString(), cardId, name,
        description, orZero(v.videoRam()), v.maxHeads() == null ? 1 : v.maxHeads(), orZero(v.maxResolutionX()),
        orZero(v.maxResolutionY()), v.maxInstances() == null || v.maxInstances() < 1 ? layout.vfCount()
        : v.maxInstances(), null)) == 1 ? 1 : 0;
    profileIds.put(key, dao.profileId(cardId, name));
  }

  private static void ensureProfile(InventoryDao dao, VgpuProfile p, Map<String, String> profileIds, int[] created) {
    String key = InventorySnapshot.profileKey(p.cardId(), p.name());
    if (!profileIds.containsKey(key)) {
      // INSERT IGNORE: 1 when this call created it, 0 when it existed (possibly made by a concurrent reconcile).
      created[1] += dao.insertProfileIfAbsent(p) == 1 ? 1 : 0;
      profileIds.put(key, dao.profileId(p.cardId(), p.name()));
    }
  }

  private static long orZero(Long v) {
    return v == null ? 0 : v;
  }

  private static int orZero(Integer v) {
    return v == null ? 0 : v;
  }

  private static String truncate(String s) {
    return s.length() <= MAX_EVENT_CHARS ? s : s.substring(0, MAX_EVENT_CHARS) + "...";
  }

  private static ApplicationFailure unknownHost(String hostName) {
    return ApplicationFailure.newNonRetryableFailure("unknown host " + hostName, "UnknownHost");
  }
}
