package io.gpucloud.controlplane.instance;

import io.gpucloud.activities.instance.AssignedDevice;
import io.gpucloud.activities.instance.InstanceActivities;
import io.gpucloud.activities.instance.InstanceSpec;
import io.gpucloud.activities.instance.Reservation;
import io.gpucloud.activities.instance.TemplateImage;
import io.gpucloud.controlplane.inventory.InventoryReconciler;
import io.gpucloud.controlplane.limits.LimitExceededException;
import io.gpucloud.controlplane.limits.Limits;
import io.gpucloud.controlplane.limits.ResourceRequest;
import io.gpucloud.activities.model.DeviceState;
import io.temporal.failure.ApplicationFailure;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.transaction.TransactionIsolationLevel;

/**
 * Control-plane deploy steps on MariaDB. Locks are taken in one order everywhere (instance row,
 * limit scopes, host row, then the devices the reservation updates), and only those rows: deploys
 * serialise on the host they compete for, deploys on other hosts do not wait for each other. InnoDB
 * deadlocks that still happen are retried by Temporal.
 */
public class InstanceActivitiesImpl implements InstanceActivities {
  /** Placements one process runs at once, by default. */
  public static final int DEFAULT_CONCURRENT_PLACEMENTS = 4;

  private final Jdbi jdbi;
  private final Limits limits;
  private final PlanCache plans = new PlanCache();
  private final Semaphore placements;

  public InstanceActivitiesImpl(Jdbi jdbi) {
    this(jdbi, DEFAULT_CONCURRENT_PLACEMENTS);
  }

  /**
   * @param concurrentPlacements how many placements run at once in this process; the others wait
   *     their turn. A burst of deploys would otherwise run as many reservation transactions at once
   *     as there are deploys, queueing on the same few best-fit host locks and on the CPU: measured
   *     on 2 cores, 4 at once place more per second than 16 (ReservationBench).
   */
  public InstanceActivitiesImpl(Jdbi jdbi, int concurrentPlacements) {
    this.jdbi = jdbi;
    this.limits = new Limits();
    this.placements = new Semaphore(concurrentPlacements, true);
  }

  @Override
  public Reservation reserve(String instanceId, List<String> excludedHostIds) {
    try {
      placements.acquire();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for a placement turn", e); // retried
    }
    try {
      return place(instanceId, excludedHostIds);
    } finally {
      placements.release();
    }
  }

  private Reservation place(String instanceId, List<String> excludedHostIds) {
    List<String> tried = new ArrayList<>(excludedHostIds == null ? List.of() : excludedHostIds);
    InstanceRow i = jdbi.withHandle(h -> new PlacementStatements(h).instance(instanceId))
        .orElseThrow(() -> notFound(instanceId));
    if (i.hostId() != null && !tried.contains(i.hostId())) {
      Reservation r = reserveOn(instanceId, i.hostId()); // a repeat: placed there already
      if (r.reserved()) {
        return r;
      }
      tried.add(i.hostId());
    }
    List<HostCandidate> hosts;
    // plan, try each candidate, plan again without the ones tried: ends when no untried host fits
    while (!(hosts = plan(i, tried)).isEmpty()) {
      for (HostCandidate host : hosts) {
        tried.add(host.hostId());
        Reservation r = reserveOn(instanceId, host.hostId());
        if (r.reserved()) {
          return r;
        }
      }
    }
    return Reservation.none();
  }

  /** Hosts that can take the instance now, best first, at most PLAN_SIZE, leaving out {@code excluded}. */
  List<HostCandidate> plan(InstanceRow i, List<String> excludedHostIds) {
    // "NOT IN ()" is not SQL: an id no host has stands in for "exclude nothing"
    List<String> excluded = excludedHostIds.isEmpty() ? List.of("-") : excludedHostIds;
    long cpu = (long) i.cpuCores() * i.cpuMhz();
    if (i.vgpuProfileId() == null || i.gpuCount() == 0) {
      return jdbi.withHandle(h -> h.attach(HostPlanDao.class).plainHosts(i.id(), cpu, i.memoryMb(), excluded, PLAN_SIZE));
    }
    // every host with at least one free device and room for this CPU/RAM, shared by concurrent plans;
    // the database is asked only when the cached view is missing or old
    return plans.candidates(i.vgpuProfileId(), cpu, i.memoryMb(), i.gpuCount(), excluded, PLAN_SIZE,
        () -> jdbi.withHandle(h -> h.attach(HostPlanDao.class)
            .gpuHosts("-", i.vgpuProfileId(), 1, cpu, i.memoryMb(), List.of("-"), Integer.MAX_VALUE)));
  }

  /** One attempt on one host, in one transaction; not reserved when the host no longer has room. */
  Reservation reserveOn(String instanceId, String hostId) {
    return jdbi.inTransaction(TransactionIsolationLevel.READ_COMMITTED, h -> {
      PlacementStatements dao = new PlacementStatements(h);
      InstanceRow i = dao.lockInstance(instanceId).orElseThrow(() -> notFound(instanceId));
      if (!"Creating".equals(i.state())) {
        throw ApplicationFailure.newNonRetryableFailure(
            "instance " + instanceId + " is " + i.state() + ", not Creating", INVALID_STATE);
      }
      if (hostId.equals(i.hostId())) {
        List<HeldDevice> already = dao.heldDevices(instanceId, hostId);
        if (already.size() == i.gpuCount()) {
          return new Reservation(hostId, spec(dao, i, dao.hostName(hostId), already)); // a repeat
        }
      }
      if (!i.quotaCounted()) {
        countAgainstLimits(h, i); // recorded (quota_counted = 1) below, with the placement
      }
      long cpu = (long) i.cpuCores() * i.cpuMhz();
      if (!dao.lockHost(hostId)) {
        return Reservation.none();
      }
      Optional<HostCandidate> host = dao.hostWithRoom(hostId, instanceId, cpu, i.memoryMb());
      if (host.isEmpty()) {
        if (i.gpuCount() > 0) {
          plans.noRoom(i.vgpuProfileId(), cpu, i.memoryMb(), hostId);
        }
        return Reservation.none();
      }
      List<HeldDevice> chosen = List.of();
      if (i.gpuCount() > 0) {
        List<HeldDevice> free = dao.availableDevices(hostId, i.vgpuProfileId());
        Optional<List<HeldDevice>> picked = pick(free, i);
        if (picked.isEmpty()) {
          plans.found(i.vgpuProfileId(), hostId, free.size());
          return Reservation.none();
        }
        chosen = picked.get();
        List<String> ids = chosen.stream().map(HeldDevice::id).toList();
        if (dao.reserveDevices(instanceId, ids) != ids.size()) {
          // a device changed since the read (the device API does not take the host lock): roll back
          // rather than hold a partial set; the local activity is retried
          throw new IllegalStateException("devices on " + hostId + " changed during the reservation");
        }
        refreshParents(h, chosen.stream().map(HeldDevice::parentDeviceId).toList());
        plans.taken(i.vgpuProfileId(), hostId, chosen.size());
      }
      dao.placeOn(instanceId, hostId); // also counts the instance against its limits from now on
      return new Reservation(hostId, spec(dao, i, host.get().hostName(), chosen));
    });
  }

  private void countAgainstLimits(Handle h, InstanceRow i) {
    try {
      limits.checkAndLock(h, i.accountId(), i.projectId(),
          new ResourceRequest(i.gpuCount(), 1, i.cpuCores(), i.memoryMb()));
    } catch (LimitExceededException e) {
      throw ApplicationFailure.newNonRetryableFailure(e.getMessage(), LIMIT_EXCEEDED);
    }
  }

  private static Optional<List<HeldDevice>> pick(List<HeldDevice> free, InstanceRow i) {
    Map<String, Integer> freePerParent = new HashMap<>();
    for (HeldDevice d : free) {
      if (d.parentDeviceId() != null) {
        freePerParent.merge(d.parentDeviceId(), 1, Integer::sum);
      }
    }
    Map<String, HeldDevice> byId = new HashMap<>();
    List<DeviceCandidate> candidates = free.stream().map(d -> {
      byId.put(d.id(), d);
      return new DeviceCandidate(d.id(), d.busAddress(), d.type(), d.numaNode(), d.pciRoot(), d.parentDeviceId(),
          d.parentBusAddress(), d.parentDeviceId() == null ? 0 : freePerParent.get(d.parentDeviceId()));
    }).toList();
    return DevicePicker.pick(candidates, i.gpuCount(), NumaPolicy.valueOf(i.numaPolicy()))
        .map(list -> list.stream().map(c -> byId.get(c.id())).toList());
  }

  @Override
  public void release(String instanceId, String hostId) {
    jdbi.useTransaction(TransactionIsolationLevel.READ_COMMITTED, h -> {
      ReleaseDao dao = h.attach(ReleaseDao.class);
      dao.lockInstance(instanceId).orElseThrow(() -> notFound(instanceId));
      List<String> parents = dao.parentsOfHeld(instanceId, hostId);
      dao.freeDevices(instanceId, hostId);
      refreshParents(h, parents);
      dao.unplace(instanceId, hostId);
    });
  }

  @Override
  public void commit(String instanceId, String hostId) {
    jdbi.useTransaction(TransactionIsolationLevel.READ_COMMITTED, h -> {
      PlacementStatements dao = new PlacementStatements(h);
      InstanceRow i = dao.lockInstance(instanceId).orElseThrow(() -> notFound(instanceId));
      if ("Running".equals(i.state()) && hostId.equals(i.hostId())) {
        return; // a repeat
      }
      dao.allocateDevices(instanceId, hostId);
      if (dao.markRunning(instanceId, hostId) != 1) {
        throw ApplicationFailure.newNonRetryableFailure(
            "instance " + instanceId + " is " + i.state() + " on " + i.hostId() + ", cannot commit on " + hostId,
            INVALID_STATE);
      }
    });
  }

  @Override
  public void fail(String instanceId, String reason) {
    jdbi.useTransaction(TransactionIsolationLevel.READ_COMMITTED, h -> {
      ReleaseDao dao = h.attach(ReleaseDao.class);
      dao.lockInstance(instanceId).orElseThrow(() -> notFound(instanceId));
      List<String> parents = dao.parentsOfHeld(instanceId, null);
      dao.freeDevices(instanceId, null);
      refreshParents(h, parents);
      dao.markError(instanceId, reason.length() > 4000 ? reason.substring(0, 4000) : reason);
    });
  }

  /** Re-derives the state of the vGPU parents; passthrough devices have none, and cost no attach. */
  private static void refreshParents(Handle h, List<String> parentIds) {
    List<String> parents = parentIds.stream().filter(p -> p != null).distinct().toList();
    if (parents.isEmpty()) {
      return;
    }
    ReleaseDao dao = h.attach(ReleaseDao.class);
    parents.forEach(p -> {
      DeviceState state = InventoryReconciler.deriveParentState(dao.children(p));
      dao.setParentState(p, state.name());
    });
  }

  private static InstanceSpec spec(PlacementStatements dao, InstanceRow i, String hostName, List<HeldDevice> devices) {
    TemplateImage template = i.templateId() == null ? null : dao.template(i.templateId()).orElse(null);
    List<AssignedDevice> assigned = devices.stream()
        .map(d -> new AssignedDevice(d.id(), d.busAddress(), d.type(), d.profileName(), d.parentBusAddress(),
            d.numaNode()))
        .toList();
    return new InstanceSpec(i.id(), i.vmName(), hostName, i.cpuCores(), i.cpuMhz(), i.memoryMb(), i.gpuDisplay(),
        template, assigned);
  }

  private static ApplicationFailure notFound(String instanceId) {
    return ApplicationFailure.newNonRetryableFailure("instance " + instanceId + " does not exist", INVALID_STATE);
  }
}
