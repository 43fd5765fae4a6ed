package io.gpucloud.controlplane.instance;

import static io.gpucloud.activities.instance.InstanceActivities.INVALID_STATE;
import static io.gpucloud.activities.instance.InstanceActivities.LIMIT_EXCEEDED;
import static io.gpucloud.activities.instance.InstanceActivities.PLAN_SIZE;

import io.gpucloud.activities.instance.AssignedDevice;
import io.gpucloud.activities.instance.InstanceSpec;
import io.gpucloud.activities.instance.Reservation;
import io.gpucloud.activities.instance.TemplateImage;
import io.gpucloud.activities.model.DeviceState;
import io.gpucloud.controlplane.inventory.InventoryReconciler;
import io.gpucloud.controlplane.limits.LimitExceededException;
import io.gpucloud.controlplane.limits.Limits;
import io.gpucloud.controlplane.limits.ResourceRequest;
import io.temporal.failure.ApplicationFailure;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.transaction.TransactionIsolationLevel;

/**
 * The one reservation path: deploy, a start that gave its devices back, and a cold migration's
 * target all plan and reserve here, one transaction per host tried. Locks are taken in one order
 * everywhere (instance row, limit scopes, host row, then the devices the reservation updates), and
 * only those rows: reservations serialise on the host they compete for, reservations on other hosts
 * do not wait for each other. InnoDB deadlocks that still happen are retried by Temporal.
 */
final class Placement {
  /** What a reservation is for: the state the instance must be in, what it counts, where it ends. */
  enum Purpose {
    /** A new instance (Creating): the instance, its CPU, memory and GPUs count once; it is placed on the host. */
    DEPLOY("Creating"),
    /**
     * A start (Starting) after the devices were given back at stop: its GPUs count again (its other
     * quota counts while it exists); it is placed on the host, which may be another than before.
     */
    START("Starting"),
    /**
     * A cold migration's target (Migrating): nothing counts again, the instance counts once throughout;
     * it stays on its source host until the move completes. Devices given back at stop are not
     * reserved on the target (the start after the move reserves them).
     */
    MIGRATE("Migrating"),
    /**
     * A queued deploy's admission (Queued): counts as DEPLOY does, and the instance moves to Creating on
     * the host in the same transaction (its Deploy workflow then finds the reservation as a repeat).
     */
    ADMIT("Queued");

    final String state;

    Purpose(String state) {
      this.state = state;
    }

    /** How many devices the reservation takes. */
    int devices(InstanceRow i) {
      return this == MIGRATE && i.gpusReleased() ? 0 : i.gpuCount();
    }

    /** What the reservation adds to the instance's limit scopes (null: nothing). */
    ResourceRequest counts(InstanceRow i) {
      if (this == MIGRATE) {
        return null;
      }
      if (!i.quotaCounted()) {
        return new ResourceRequest(i.gpuCount(), 1, i.cpuCores(), i.memoryMb());
      }
      if (this == START && i.gpusReleased() && i.gpuCount() > 0) {
        return new ResourceRequest(i.gpuCount(), 0, 0, 0);
      }
      return null;
    }
  }

  private final Jdbi jdbi;
  private final Limits limits = new Limits();
  private final PlanCache plans = new PlanCache();
  private final Semaphore placements;

  /**
   * @param concurrentPlacements how many placements run at once in this process; the others wait
   *     their turn. A burst of deploys would otherwise run as many reservation transactions at once
   *     as there are deploys, queueing on the same few best-fit host locks and on the CPU: measured
   *     on 2 cores, 4 at once place more per second than 16 (ReservationBench).
   */
  Placement(Jdbi jdbi, int concurrentPlacements) {
    this.jdbi = jdbi;
    this.placements = new Semaphore(concurrentPlacements, true);
  }

  Jdbi jdbi() {
    return jdbi;
  }

  /**
   * How long a placement waits for its turn. Below the local activity's start-to-close timeout (30 s,
   * Steps.controlPlane): an attempt that timed out while it waited would otherwise still run later,
   * beside its own retry.
   */
  static final long TURN_WAIT_SECONDS = 20;

  /** Runs {@code placement} in one of this process's placement turns. */
  <T> T inTurn(Supplier<T> placement) {
    try {
      if (!placements.tryAcquire(TURN_WAIT_SECONDS, TimeUnit.SECONDS)) {
        // retried by the local activity: busy is not full
        throw new IllegalStateException("no placement turn within " + TURN_WAIT_SECONDS + " s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for a placement turn", e); // retried
    }
    try {
      return placement.get();
    } finally {
      placements.release();
    }
  }

  /**
   * Tries the hosts {@code first} names for the instance (in order, those not excluded), then plans,
   * tries each candidate, plans again without the ones tried: ends when no untried host fits. Call it
   * in a placement turn.
   *
   * <p>"No room" ({@link Reservation#none()}) is only ever the answer of a completed look at a
   * reachable database: every database error (a connection refused or lost, a pool timeout, a failed
   * commit, a failed plan reload) is thrown as it is, a retryable activity failure, so that the local
   * activity's retries carry the placement across an outage. Nothing here catches one.
   */
  Reservation place(Purpose purpose, String instanceId, Function<InstanceRow, List<String>> first,
      List<String> excludedHostIds) {
    List<String> tried = new ArrayList<>(excludedHostIds == null ? List.of() : excludedHostIds);
    InstanceRow i = jdbi.withHandle(h -> new PlacementStatements(h).instance(instanceId))
        .orElseThrow(() -> notFound(instanceId));
    if (purpose == Purpose.DEPLOY && i.hostId() == null) {
      // the queue's order: a request that asked to queue goes behind the waiters of its pool (and a gang
      // member is only ever admitted with its gang); no deploy takes the devices kept for a blocked head
      QueueGate gate = jdbi.withHandle(h -> QueueGate.read(h, i));
      if (gate.mustQueue()) {
        return Reservation.none();
      }
      gate.claimedHosts().stream().filter(hid -> !tried.contains(hid)).forEach(tried::add);
    }
    for (String hostId : first.apply(i)) {
      if (hostId != null && !tried.contains(hostId)) {
        tried.add(hostId);
        Reservation r = attempt(purpose, instanceId, hostId);
        if (r.reserved()) {
          return r;
        }
      }
    }
    List<HostCandidate> hosts;
    while (!(hosts = plan(i, tried)).isEmpty()) {
      for (HostCandidate host : hosts) {
        tried.add(host.hostId());
        Reservation r = attempt(purpose, instanceId, host.hostId());
        if (r.reserved()) {
          return r;
        }
      }
    }
    // An earlier run of this same step may have placed the instance after it was read above: a local
    // activity attempt that timed out during a database outage still runs on beside its retry, and
    // when it commits it holds the devices this run's plan no longer sees as free. Its reservation
    // is this one's (a repeat), not "no room".
    InstanceRow now = jdbi.withHandle(h -> new PlacementStatements(h).instance(instanceId))
        .orElseThrow(() -> notFound(instanceId));
    if (placedByARepeat(purpose, i, now) && (excludedHostIds == null || !excludedHostIds.contains(now.hostId()))) {
      return attempt(purpose, instanceId, now.hostId());
    }
    return Reservation.none();
  }

  /** Whether the instance, read first as {@code before}, was placed since (by another run of the same step). */
  private static boolean placedByARepeat(Purpose purpose, InstanceRow before, InstanceRow now) {
    return switch (purpose) {
      case DEPLOY -> now.hostId() != null && before.hostId() == null;
      case START -> now.hostId() != null && before.gpusReleased() && !now.gpusReleased();
      case ADMIT -> false; // the admission pass places each request in a transaction of its own
      case MIGRATE -> false; // a migration's reservation is found by reserveForMigration's first hosts
    };
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

  /**
   * One attempt on one host, in one transaction; not reserved when the host no longer has room (or,
   * for a migration, is the instance's own host).
   */
  Reservation attempt(Purpose purpose, String instanceId, String hostId) {
    // what this attempt learnt about the plan view: applied once its transaction committed, so that a
    // transaction the database lost (a failed commit, a connection gone) leaves the view as it was
    List<Runnable> learnt = new ArrayList<>();
    Reservation r = jdbi.inTransaction(TransactionIsolationLevel.READ_COMMITTED,
        h -> attempt(h, purpose, instanceId, hostId, learnt));
    learnt.forEach(Runnable::run);
    return r;
  }

  Reservation attempt(Handle h, Purpose purpose, String instanceId, String hostId, List<Runnable> learnt) {
    PlacementStatements dao = new PlacementStatements(h);
    InstanceRow i = dao.lockInstance(instanceId).orElseThrow(() -> notFound(instanceId));
    if (!purpose.state.equals(i.state())) {
      throw ApplicationFailure.newNonRetryableFailure(
          "instance " + instanceId + " is " + i.state() + ", not " + purpose.state, INVALID_STATE);
    }
    int needed = purpose.devices(i);
    if (purpose == Purpose.MIGRATE) {
      if (hostId.equals(i.hostId())) {
        return Reservation.none(); // the target is the source
      }
      if (needed > 0) {
        List<HeldDevice> already = dao.heldDevices(instanceId, hostId);
        if (already.size() == needed) {
          return new Reservation(hostId, spec(dao, i, dao.hostName(hostId), already)); // a repeat
        }
      }
    } else if (purpose == Purpose.START && !i.gpusReleased() && i.gpuCount() > 0) {
      // it still holds its devices: only its own host can take it, and nothing is reserved again; the
      // host must still take instances (Up, Enabled: not in maintenance) and have its CPU/RAM
      boolean canRun = hostId.equals(i.hostId()) && dao.lockHost(hostId)
          && dao.hostWithRoom(hostId, instanceId, (long) i.cpuCores() * i.cpuMhz(), i.memoryMb()).isPresent();
      PlacementMetrics.reservedOrNoRoom(h, canRun);
      return canRun
          ? new Reservation(hostId, spec(dao, i, dao.hostName(hostId), dao.heldDevices(instanceId, hostId)))
          : Reservation.none();
    } else if (purpose == Purpose.DEPLOY && i.hostId() != null) {
      // placed already: by an earlier run of this step (one that timed out and still ran on, or whose
      // answer was lost). Its reservation is this one, on whichever host was asked for now: never a
      // second set of devices elsewhere.
      List<HeldDevice> already = dao.heldDevices(instanceId, i.hostId());
      if (already.size() == i.gpuCount()) {
        return new Reservation(i.hostId(), spec(dao, i, dao.hostName(i.hostId()), already)); // a repeat
      }
    }
    ResourceRequest counts = purpose.counts(i);
    if (counts != null) {
      countAgainstLimits(h, i, counts); // recorded (quota_counted, gpus_released) below, with the placement
    }
    long cpu = (long) i.cpuCores() * i.cpuMhz();
    if (!dao.lockHost(hostId)) {
      PlacementMetrics.noRoom();
      return Reservation.none();
    }
    Optional<HostCandidate> host = dao.hostWithRoom(hostId, instanceId, cpu, i.memoryMb());
    if (host.isEmpty()) {
      if (i.gpuCount() > 0) {
        learnt.add(() -> plans.noRoom(i.vgpuProfileId(), cpu, i.memoryMb(), hostId));
      }
      PlacementMetrics.noRoom(plans, i, cpu, hostId, needed);
      return Reservation.none();
    }
    List<HeldDevice> chosen = List.of();
    if (needed > 0) {
      List<HeldDevice> free = dao.availableDevices(hostId, i.vgpuProfileId());
      Optional<List<HeldDevice>> picked = pick(free, i, needed);
      if (picked.isEmpty()) {
        int found = free.size();
        learnt.add(() -> plans.found(i.vgpuProfileId(), hostId, found));
        PlacementMetrics.noRoom(plans, i, cpu, hostId, needed);
        return Reservation.none();
      }
      chosen = picked.get();
      List<String> ids = chosen.stream().map(HeldDevice::id).toList();
      if (dao.reserveDevices(instanceId, ids) != ids.size()) {
        // a device changed since the read (the device API does not take the host lock): roll back
        // rather than hold a partial set; the local activity is retried
        PlacementMetrics.conflict();
        throw new IllegalStateException("devices on " + hostId + " changed during the reservation");
      }
      refreshParents(h, chosen.stream().map(HeldDevice::parentDeviceId).toList());
      int taken = chosen.size();
      learnt.add(() -> plans.taken(i.vgpuProfileId(), hostId, taken));
    }
    switch (purpose) {
      case DEPLOY -> dao.placeOn(instanceId, hostId); // also counts the instance against its limits from now on
      case ADMIT -> dao.admitOn(instanceId, hostId); // Queued -> Creating on the host, counted from now on
      case START -> dao.placeForStart(instanceId, hostId); // and its GPUs count again
      case MIGRATE -> { } // it moves when the migration completes
    }
    PlacementMetrics.reserved(h);
    return new Reservation(hostId, spec(dao, i, host.get().hostName(), chosen));
  }

  /** The plan view (tests). */
  PlanCache plans() {
    return plans;
  }

  /**
   * Why the host cannot take the instance now, in words, or null when it can: the checks of a
   * migration's reservation attempt, as plain reads (the reservation itself decides, under the locks).
   */
  static String whyHostCannotTake(Handle h, String instanceId, String hostId) {
    java.util.Objects.requireNonNull(hostId, "hostId");
    PlacementStatements dao = new PlacementStatements(h);
    Optional<InstanceRow> row = dao.instance(instanceId);
    if (row.isEmpty()) {
      return "instance " + instanceId + " does not exist";
    }
    InstanceRow i = row.get();
    if (hostId.equals(i.hostId())) {
      return "target is the instance's own host";
    }
    String disk = RootDiskReach.whyUnreachable(h, instanceId, hostId);
    if (disk != null) {
      return disk;
    }
    Optional<PlacementStatements.HostStatus> status = dao.hostStatus(hostId);
    if (status.isEmpty()) {
      return "host " + hostId + " does not exist";
    }
    PlacementStatements.HostStatus s = status.get();
    // decided by the placement rule itself (PlacementSql.HOST_HAS_ROOM); the status only explains it
    if (dao.hostWithRoom(hostId, instanceId, (long) i.cpuCores() * i.cpuMhz(), i.memoryMb()).isEmpty()) {
      if (!"Up".equals(s.state())) {
        return "host " + s.name() + " is " + s.state();
      }
      return "host " + s.name() + " is " + switch (s.resourceState()) {
        case "Enabled" -> "short of CPU or memory for " + i.cpuCores() + " cores of " + i.cpuMhz() + " MHz and "
            + i.memoryMb() + " MB";
        case "Maintenance" -> "in Maintenance";
        case "PrepareForMaintenance" -> "preparing for maintenance (PrepareForMaintenance)";
        default -> s.resourceState();
      };
    }
    int needed = Purpose.MIGRATE.devices(i);
    if (needed > 0) {
      List<HeldDevice> free = dao.availableDevices(hostId, i.vgpuProfileId());
      String profile = dao.profileName(i.vgpuProfileId()).orElse(i.vgpuProfileId());
      if (free.size() < needed) {
        return "host " + s.name() + " has no room for " + needed + " GPUs of " + profile + " (" + free.size()
            + " free)";
      }
      if (pick(free, i, needed).isEmpty()) {
        return "host " + s.name() + " has no room for " + needed + " GPUs of " + profile
            + " under the offering's NUMA policy " + i.numaPolicy();
      }
    }
    return null;
  }

  private void countAgainstLimits(Handle h, InstanceRow i, ResourceRequest request) {
    try {
      limits.checkAndLock(h, i.accountId(), i.projectId(), request);
    } catch (LimitExceededException e) {
      throw ApplicationFailure.newNonRetryableFailure(e.getMessage(), LIMIT_EXCEEDED);
    }
  }

  private static Optional<List<HeldDevice>> pick(List<HeldDevice> free, InstanceRow i, int count) {
    // packed by physical GPU: for a vGPU on a VF that is the VF's parent, not the VF
    Map<String, Integer> freePerGpu = new HashMap<>();
    for (HeldDevice d : free) {
      if (d.gpuId() != null) {
        freePerGpu.merge(d.gpuId(), 1, Integer::sum);
      }
    }
    Map<String, HeldDevice> byId = new HashMap<>();
    List<DeviceCandidate> candidates = free.stream().map(d -> {
      byId.put(d.id(), d);
      return new DeviceCandidate(d.id(), d.busAddress(), d.type(), d.numaNode(), d.pciRoot(), d.gpuId(),
          d.gpuBusAddress(), d.gpuId() == null ? 0 : freePerGpu.get(d.gpuId()));
    }).toList();
    return DevicePicker.pick(candidates, count, NumaPolicy.valueOf(i.numaPolicy()))
        .map(list -> list.stream().map(c -> byId.get(c.id())).toList());
  }

  /** Re-derives the state of the vGPU parents; passthrough devices have none, and cost no attach. */
  static void refreshParents(Handle h, List<String> parentIds) {
    List<String> parents = parentIds.stream().filter(p -> p != null).distinct().toList();
    if (parents.isEmpty()) {
      return;
    }
    ReleaseDao dao = h.attach(ReleaseDao.class);
    // up the tree: a vGPU on a VF changes the VF's state, which changes its GPU's (deepest first)
    java.util.Set<String> seen = new java.util.HashSet<>();
    List<String> level = parents;
    while (!level.isEmpty()) {
      List<String> next = new ArrayList<>();
      for (String p : level) {
        if (!seen.add(p)) {
          continue;
        }
        DeviceState state = InventoryReconciler.deriveParentState(dao.children(p));
        dao.setParentState(p, state.name(), InventoryReconciler.DERIVED);
        dao.parentOf(p).ifPresent(next::add);
      }
      level = next;
    }
  }

  /** What the host needs to run the instance with {@code devices}. */
  static InstanceSpec spec(PlacementStatements dao, InstanceRow i, String hostName, List<HeldDevice> devices) {
    TemplateImage template = i.templateId() == null ? null : dao.template(i.templateId()).orElse(null);
    List<AssignedDevice> assigned = devices.stream()
        .map(d -> new AssignedDevice(d.id(), d.busAddress(), d.type(), d.profileName(), d.parentBusAddress(),
            d.numaNode()))
        .toList();
    return new InstanceSpec(i.id(), i.vmName(), hostName, i.cpuCores(), i.cpuMhz(), i.memoryMb(), i.gpuDisplay(),
        template, assigned);
  }

  static ApplicationFailure notFound(String instanceId) {
    return ApplicationFailure.newNonRetryableFailure("instance " + instanceId + " does not exist", INVALID_STATE);
  }
}
