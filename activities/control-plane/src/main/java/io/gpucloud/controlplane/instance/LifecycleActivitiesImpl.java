package io.gpucloud.controlplane.instance;

import static io.gpucloud.activities.instance.InstanceActivities.INSUFFICIENT_CAPACITY;
import static io.gpucloud.activities.instance.InstanceActivities.INVALID_STATE;
import static io.gpucloud.activities.instance.InstanceActivities.LIMIT_EXCEEDED;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.gpucloud.activities.instance.BegunOperation;
import io.gpucloud.activities.instance.InstanceSpec;
import io.gpucloud.activities.instance.InstanceState;
import io.gpucloud.activities.instance.LifecycleActivities;
import io.gpucloud.activities.instance.OperationRequest;
import io.gpucloud.activities.instance.Reservation;
import io.gpucloud.controlplane.events.Events;
import io.gpucloud.controlplane.instance.Placement.Purpose;
import io.gpucloud.controlplane.limits.LimitExceededException;
import io.gpucloud.controlplane.limits.Limits;
import io.gpucloud.controlplane.limits.ResourceRequest;
import io.gpucloud.controlplane.settings.DomainSettings;
import io.temporal.failure.ApplicationFailure;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.transaction.TransactionIsolationLevel;

/**
 * The control-plane steps of the operations on existing instances, on MariaDB. Each is one
 * READ COMMITTED transaction that first locks the instance row (then, where needed, the limit scopes,
 * the host row and the devices: the deploy's lock order), so operations on one instance serialise and
 * a repeat finds the change made and changes nothing.
 *
 * <p>Devices: an instance's devices are Allocated while it lives with them (Running, or Stopped with
 * them held); Reserved devices are a pending start's or migration's reservation, which
 * {@link #releaseOnHost} undoes. Placement (start with devices given back, a migration's target) is
 * the deploy's own reservation ({@link Placement}).
 */
public class LifecycleActivitiesImpl implements LifecycleActivities {
  /** Transitional states a domain starts from, so that commitRunning may end them in Running. */
  private static final Set<String> COMMITTABLE = Set.of("Starting", "Rebooting", "Migrating");

  private static final Set<String> RESOURCE_STATES = Set.of("Enabled", "Disabled", "PrepareForMaintenance",
      "Maintenance");

  private final Jdbi jdbi;
  private final Placement placement;
  private final Limits limits = new Limits();

  /** With its own placement turns and plan view. */
  public LifecycleActivitiesImpl(Jdbi jdbi) {
    this(jdbi, new Placement(jdbi, InstanceActivitiesImpl.DEFAULT_CONCURRENT_PLACEMENTS));
  }

  /**
   * Sharing the deploy activities' placement turns and plan view (one per process is the intent:
   * starts and migrations then queue with deploys for the same host locks, and every reservation
   * corrects the same view).
   */
  public LifecycleActivitiesImpl(InstanceActivitiesImpl deploy) {
    this(deploy.placement().jdbi(), deploy.placement());
  }

  private LifecycleActivitiesImpl(Jdbi jdbi, Placement placement) {
    this.jdbi = jdbi;
    this.placement = placement;
  }

  /**
   * Why {@code hostId} cannot take the instance as a cold-migration target now, in words (e.g. "host
   * H1 is in Maintenance", "host H2 has no room for 4 GPUs of sim-8q (2 free)", "target is the
   * instance's own host"), or null when it can. Plain reads on the caller's handle: the API answers
   * 409 with it before starting the workflow; the reservation itself decides under the locks.
   */
  public static String whyHostCannotTake(Handle h, String instanceId, String hostId) {
    return Placement.whyHostCannotTake(h, instanceId, hostId);
  }

  /**
   * Why no other host can take the instance's cold migration whatever the target (its disk is on
   * host-local storage), or null: the API's 409 for a migration without a target.
   */
  public static String whyNoHostReachesItsDisk(Handle h, String instanceId) {
    return RootDiskReach.whyUnreachable(h, instanceId, null);
  }

  @Override
  public InstanceSpec describe(String instanceId) {
    return locate(instanceId).spec();
  }

  /** Also writes the operation's Started event: every lifecycle workflow begins with describe or locate. */
  @Override
  public Reservation locate(String instanceId) {
    return jdbi.inTransaction(TransactionIsolationLevel.READ_COMMITTED, h -> {
      Events.startedOnce(h);
      PlacementStatements dao = new PlacementStatements(h);
      InstanceRow i = dao.instance(instanceId).orElseThrow(() -> Placement.notFound(instanceId));
      if (i.hostId() == null) {
        return new Reservation(null, Placement.spec(dao, i, null, List.of()));
      }
      return new Reservation(i.hostId(),
          Placement.spec(dao, i, dao.hostName(i.hostId()), dao.heldDevices(instanceId, i.hostId())));
    });
  }

  /**
   * The idempotency_keys owner of operations a workflow begins itself (no user asked): the nil UUID,
   * which no user has.
   */
  static final String SYSTEM_KEY_OWNER = "00000000-0000-0000-0000-000000000000";
  private static final ObjectMapper JSON = new ObjectMapper();

  @Override
  public BegunOperation beginOperation(OperationRequest request, String idempotencyKey) {
    return jdbi.inTransaction(TransactionIsolationLevel.READ_COMMITTED, h -> {
      if (idempotencyKey != null) {
        Optional<String> earlier = h.createQuery("SELECT body FROM idempotency_keys WHERE user_id = :owner"
                + " AND idem_key = :key")
            .bind("owner", SYSTEM_KEY_OWNER).bind("key", idempotencyKey).mapTo(String.class).findOne();
        if (earlier.isPresent()) {
          return read(earlier.get());
        }
      }
      Operations.Begun b = Operations.begin(h, request.instanceId(), request.operation(), request.userId(),
              request.force(), request.targetHostId(), request.offeringId())
          .orElseThrow(() -> Placement.notFound(request.instanceId()));
      if (!b.begun()) {
        throw ApplicationFailure.newNonRetryableFailure("instance " + request.instanceId() + " is " + b.state()
            + "; " + request.operation().name().toLowerCase(java.util.Locale.ROOT) + " needs "
            + request.operation().from(), INVALID_STATE, b.state());
      }
      String account = h.createQuery("SELECT name FROM accounts WHERE id = :id").bind("id", b.accountId())
          .mapTo(String.class).one();
      BegunOperation begun = new BegunOperation(b.workflowId(), b.request(), account);
      if (idempotencyKey != null) {
        h.createUpdate("INSERT INTO idempotency_keys (user_id, idem_key, status, body) VALUES (:owner, :key, 202, :body)")
            .bind("owner", SYSTEM_KEY_OWNER).bind("key", idempotencyKey).bind("body", write(begun)).execute();
      }
      return begun;
    });
  }

  private static String write(BegunOperation b) {
    try {
      return JSON.writeValueAsString(b);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("cannot write " + b, e);
    }
  }

  private static BegunOperation read(String body) {
    try {
      return JSON.readValue(body, BegunOperation.class);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("cannot read a stored operation: " + e.getMessage(), e);
    }
  }

  @Override
  public boolean detachOnStop(String instanceId) {
    return jdbi.withHandle(h -> {
      String domainId = h.createQuery("SELECT a.domain_id FROM instances i JOIN accounts a ON a.id = i.account_id"
              + " WHERE i.id = :id")
          .bind("id", instanceId).mapTo(String.class).findOne().orElseThrow(() -> Placement.notFound(instanceId));
      return "true".equals(DomainSettings.effective(h, domainId, DomainSettings.GPU_DETACH_ON_STOP));
    });
  }

  @Override
  public void releaseDevices(String instanceId) {
    jdbi.useTransaction(TransactionIsolationLevel.READ_COMMITTED, h -> {
      ReleaseDao dao = h.attach(ReleaseDao.class);
      InstanceRow i = dao.lockInstance(instanceId).orElseThrow(() -> Placement.notFound(instanceId));
      if (Set.of("Creating", "Starting", "Running", "Rebooting").contains(i.state())) {
        throw ApplicationFailure.newNonRetryableFailure("instance " + instanceId + " is " + i.state()
            + ": its domain may be using its devices", INVALID_STATE);
      }
      freeHeld(h, instanceId, null);
      if (i.gpuCount() > 0) {
        setGpusReleased(h, instanceId, true);
      }
    });
  }

  @Override
  public Reservation reserveForStart(String instanceId, String preferredHostId, List<String> excludedHostIds) {
    List<String> excluded = new ArrayList<>(excludedHostIds == null ? List.of() : excludedHostIds);
    InstanceRow i = instance(instanceId);
    // only where its root disk is: its own host, or one on the same shared pool
    excluded.addAll(jdbi.withHandle(h -> RootDiskReach.hostsWithout(h, instanceId)));
    if (i.gpuCount() > 0 && !i.gpusReleased()) {
      // it still holds its devices: it starts where they are, and nothing is reserved or counted again
      return i.hostId() == null || excluded.contains(i.hostId())
          ? Reservation.none() : placement.attempt(Purpose.START, instanceId, i.hostId());
    }
    // the preferred host (by default the one it stopped on) first, then planned like a deploy
    return placement.inTurn(() -> placement.place(Purpose.START, instanceId, row -> {
      List<String> first = new ArrayList<>();
      if (preferredHostId != null) {
        first.add(preferredHostId);
      }
      if (row.hostId() != null && !row.hostId().equals(preferredHostId)) {
        first.add(row.hostId());
      }
      return first;
    }, excluded));
  }

  @Override
  public Reservation reserveForMigration(String instanceId, String targetHostId) {
    InstanceRow i = instance(instanceId);
    if (targetHostId != null) {
      return targetHostId.equals(i.hostId())
          || jdbi.withHandle(h -> RootDiskReach.whyUnreachable(h, instanceId, targetHostId)) != null
          ? Reservation.none() : placement.inTurn(() -> placement.attempt(Purpose.MIGRATE, instanceId, targetHostId));
    }
    // the best host other than its own that reaches its disk; a repeat finds the reservation an earlier attempt made
    List<String> excluded = new ArrayList<>(jdbi.withHandle(h -> RootDiskReach.hostsWithout(h, instanceId)));
    if (i.hostId() != null) {
      excluded.add(i.hostId());
    }
    return placement.inTurn(() -> placement.place(Purpose.MIGRATE, instanceId,
        row -> jdbi.withHandle(h -> new PlacementStatements(h).hostsWithReserved(instanceId, row.hostId())),
        excluded));
  }

  @Override
  public void completeMigration(String instanceId, String sourceHostId, String targetHostId) {
    jdbi.useTransaction(TransactionIsolationLevel.READ_COMMITTED, h -> {
      PlacementStatements dao = new PlacementStatements(h);
      InstanceRow i = dao.lockInstance(instanceId).orElseThrow(() -> Placement.notFound(instanceId));
      if (!targetHostId.equals(i.hostId())) {
        if (!"Migrating".equals(i.state()) || !sourceHostId.equals(i.hostId())) {
          throw ApplicationFailure.newNonRetryableFailure("instance " + instanceId + " is " + i.state() + " on "
              + i.hostId() + ", cannot complete a migration from " + sourceHostId + " to " + targetHostId,
              INVALID_STATE);
        }
        int needed = Purpose.MIGRATE.devices(i);
        int reserved = dao.heldDevices(instanceId, targetHostId).size();
        if (reserved != needed) {
          throw ApplicationFailure.newNonRetryableFailure("instance " + instanceId + " holds " + reserved
              + " devices on the target " + targetHostId + ", not " + needed, INVALID_STATE);
        }
        // its CPU/RAM count on the target only from now on: two migrations (or a deploy) that both saw
        // room there serialise on the target's host lock, and the later one finds out here
        if (!dao.lockHost(targetHostId)
            || dao.hostWithRoom(targetHostId, instanceId, (long) i.cpuCores() * i.cpuMhz(), i.memoryMb()).isEmpty()) {
          throw ApplicationFailure.newNonRetryableFailure("host " + dao.hostName(targetHostId)
              + " no longer has room for the instance's CPU and memory", INSUFFICIENT_CAPACITY);
        }
      }
      // also on a repeat, so that nothing is left behind on the source
      freeHeld(h, instanceId, sourceHostId);
      dao.allocateDevices(instanceId, targetHostId);
      h.createUpdate("UPDATE instances SET host_id = :target WHERE id = :id")
          .bind("target", targetHostId).bind("id", instanceId).execute();
    });
  }

  @Override
  public void releaseOnHost(String instanceId, String hostId) {
    jdbi.useTransaction(TransactionIsolationLevel.READ_COMMITTED, h -> {
      InstanceRow i = h.attach(ReleaseDao.class).lockInstance(instanceId)
          .orElseThrow(() -> Placement.notFound(instanceId));
      freePending(h, i, hostId);
    });
  }

  /**
   * Undoes the instance's pending reservations (on one host, or anywhere when hostId is null): its
   * devices there that are not Allocated (Allocated ones are those it lives with) go back, and when a
   * start had counted its GPUs again and it now holds none, they stop counting.
   */
  private static void freePending(Handle h, InstanceRow i, String hostId) {
    List<String> parents = h.createQuery("SELECT DISTINCT parent_device_id FROM gpu_devices"
            + " WHERE instance_id = :instanceId AND (:hostId IS NULL OR host_id = :hostId) AND state <> 'Allocated'"
            + " AND parent_device_id IS NOT NULL")
        .bind("instanceId", i.id()).bind("hostId", hostId).mapTo(String.class).list();
    int freed = h.createUpdate("UPDATE gpu_devices SET state = IF(state = 'Error', 'Error', 'Free'),"
            + " instance_id = NULL WHERE instance_id = :instanceId AND (:hostId IS NULL OR host_id = :hostId)"
            + " AND state <> 'Allocated'")
        .bind("instanceId", i.id()).bind("hostId", hostId).execute();
    Placement.refreshParents(h, parents);
    if (freed > 0 && "Starting".equals(i.state()) && i.gpuCount() > 0 && heldCount(h, i.id()) == 0) {
      setGpusReleased(h, i.id(), true); // the start had counted them again
    }
  }

  @Override
  public void applyOffering(String instanceId, String offeringId) {
    jdbi.useTransaction(TransactionIsolationLevel.READ_COMMITTED, h -> {
      PlacementStatements dao = new PlacementStatements(h);
      InstanceRow i = dao.lockInstance(instanceId).orElseThrow(() -> Placement.notFound(instanceId));
      if (!"Scaling".equals(i.state())) {
        throw ApplicationFailure.newNonRetryableFailure(
            "instance " + instanceId + " is " + i.state() + ", not Scaling", INVALID_STATE);
      }
      Offering o = h.createQuery("SELECT cpu_cores, cpu_mhz, memory_mb, vgpu_profile_id, gpu_count, gpu_display,"
              + " numa_policy FROM offerings WHERE id = :id")
          .bind("id", offeringId)
          .map((rs, ctx) -> new Offering(rs.getInt(1), rs.getInt(2), rs.getLong(3), rs.getString(4),
              rs.getString(4) == null ? 0 : rs.getInt(5), rs.getBoolean(6), rs.getString(7)))
          .findOne()
          .orElseThrow(() -> ApplicationFailure.newNonRetryableFailure(
              "offering " + offeringId + " does not exist", INVALID_STATE));
      // limits on the difference: what the instance counts now is already in its scopes' usage
      int countedGpus = i.gpusReleased() ? 0 : i.gpuCount();
      ResourceRequest more = new ResourceRequest(Math.max(0, o.gpuCount() - countedGpus), 0,
          Math.max(0, o.cpuCores() - i.cpuCores()), Math.max(0, o.memoryMb() - i.memoryMb()));
      if (i.quotaCounted() && (more.gpus() > 0 || more.cpus() > 0 || more.memoryMb() > 0)) {
        try {
          limits.checkAndLock(h, i.accountId(), i.projectId(), more);
        } catch (LimitExceededException e) {
          throw ApplicationFailure.newNonRetryableFailure(e.getMessage(), LIMIT_EXCEEDED);
        }
      }
      // the devices it holds fit when profile and count are the same and its host still has the room
      boolean keep = !i.gpusReleased() && o.gpuCount() > 0 && o.gpuCount() == i.gpuCount()
          && Objects.equals(o.vgpuProfileId(), i.vgpuProfileId());
      long cpu = (long) o.cpuCores() * o.cpuMhz();
      if (keep && i.hostId() != null && (cpu > (long) i.cpuCores() * i.cpuMhz() || o.memoryMb() > i.memoryMb())) {
        keep = dao.lockHost(i.hostId()) && dao.hostWithRoom(i.hostId(), instanceId, cpu, o.memoryMb()).isPresent();
      }
      if (!keep) {
        freeHeld(h, instanceId, null); // the next start reserves what the offering needs
      }
      h.createUpdate("UPDATE instances SET offering_id = :offeringId, vgpu_profile_id = :profileId,"
              + " gpu_count = :gpuCount, cpu_cores = :cpuCores, cpu_mhz = :cpuMhz, memory_mb = :memoryMb,"
              + " gpu_display = :gpuDisplay, numa_policy = :numaPolicy, gpus_released = :released WHERE id = :id")
          .bind("offeringId", offeringId).bind("profileId", o.vgpuProfileId()).bind("gpuCount", o.gpuCount())
          .bind("cpuCores", o.cpuCores()).bind("cpuMhz", o.cpuMhz()).bind("memoryMb", o.memoryMb())
          .bind("gpuDisplay", o.gpuDisplay()).bind("numaPolicy", o.numaPolicy())
          .bind("released", o.gpuCount() > 0 && !keep).bind("id", instanceId)
          .execute();
    });
  }

  private record Offering(int cpuCores, int cpuMhz, long memoryMb, String vgpuProfileId, int gpuCount,
      boolean gpuDisplay, String numaPolicy) {}

  @Override
  public void commitRunning(String instanceId, String hostId, String workflowId) {
    jdbi.useTransaction(TransactionIsolationLevel.READ_COMMITTED, h -> {
      PlacementStatements dao = new PlacementStatements(h);
      InstanceRow i = dao.lockInstance(instanceId).orElseThrow(() -> Placement.notFound(instanceId));
      if ("Running".equals(i.state()) && hostId.equals(i.hostId())) {
        return; // a repeat
      }
      if (!COMMITTABLE.contains(i.state()) || !hostId.equals(i.hostId())) {
        throw ApplicationFailure.newNonRetryableFailure("instance " + instanceId + " is " + i.state() + " on "
            + i.hostId() + ", cannot commit it Running on " + hostId, INVALID_STATE);
      }
      dao.allocateDevices(instanceId, hostId);
      h.createUpdate("UPDATE instances SET state = 'Running', error_reason = NULL WHERE id = :id AND state = :state")
          .bind("id", instanceId).bind("state", i.state()).execute();
      Scheduled s = scheduled(h, instanceId, workflowId, eventTypeOf(i.state()));
      Events.record(h, new Events.Event(s.type(), Events.COMPLETED, s.userId(), i.accountId(), instanceId, hostId,
          workflowId, i.vmName() + " is Running on " + dao.hostName(hostId)));
    });
  }

  @Override
  public void finish(OperationRequest request, InstanceState to, String workflowId, String reason) {
    if (!to.stable()) {
      throw ApplicationFailure.newNonRetryableFailure("an operation ends in a stable state, not " + to, INVALID_STATE);
    }
    jdbi.useTransaction(TransactionIsolationLevel.READ_COMMITTED, h -> {
      String instanceId = request.instanceId();
      PlacementStatements dao = new PlacementStatements(h);
      InstanceRow i = dao.lockInstance(instanceId).orElseThrow(() -> Placement.notFound(instanceId));
      String transitional = request.operation().transitional().name();
      if (to == InstanceState.Destroyed) {
        if (transitional.equals(i.state())) {
          destroy(h, i, workflowId, request.operation().eventType(), request.userId());
        }
        return;
      }
      if (!transitional.equals(i.state())) {
        // a repeat, or a step (commitRunning) moved it already: the event is written once per workflow
        if (!to.name().equals(i.state()) || endEventWritten(h, instanceId, workflowId)) {
          return;
        }
      } else {
        if (to == InstanceState.Stopped) {
          // no pending reservation outlives its operation (a workflow's undo normally freed it already).
          // Not on Error: an operation ends there when its undo failed on the host, and a domain may
          // still use those devices; destroy frees them
          freePending(h, i, null);
        }
        String error = to == InstanceState.Error ? truncate(reason == null ? "failed" : reason) : null;
        h.createUpdate("UPDATE instances SET state = :to, error_reason = :error WHERE id = :id AND state = :from")
            .bind("to", to.name()).bind("error", error).bind("id", instanceId).bind("from", transitional).execute();
      }
      boolean failed = reason != null || to == InstanceState.Error;
      String description = i.vmName() + " is " + to + (failed && reason != null ? ": " + reason : "");
      Events.record(h, new Events.Event(request.operation().eventType(), failed ? Events.FAILED : Events.COMPLETED,
          request.userId(), i.accountId(), instanceId, i.hostId(), workflowId, description));
    });
  }

  @Override
  public void markDestroyed(String instanceId, String workflowId) {
    jdbi.useTransaction(TransactionIsolationLevel.READ_COMMITTED, h -> {
      InstanceRow i = new PlacementStatements(h).lockInstance(instanceId)
          .orElseThrow(() -> Placement.notFound(instanceId));
      if ("Destroyed".equals(i.state())) {
        return; // a repeat
      }
      if (!"Destroying".equals(i.state())) {
        throw ApplicationFailure.newNonRetryableFailure(
            "instance " + instanceId + " is " + i.state() + ", not Destroying", INVALID_STATE);
      }
      Scheduled s = scheduled(h, instanceId, workflowId, "VM.DESTROY");
      destroy(h, i, workflowId, s.type(), s.userId());
    });
  }

  /** Every device freed, every quota unit released, host cleared, Destroyed; the event. */
  private static void destroy(Handle h, InstanceRow i, String workflowId, String eventType, String userId) {
    freeHeld(h, i.id(), null);
    h.createUpdate("UPDATE instances SET state = 'Destroyed', quota_counted = 0, host_id = NULL WHERE id = :id")
        .bind("id", i.id()).execute();
    Events.record(h, new Events.Event(eventType, Events.COMPLETED, userId, i.accountId(), i.id(), i.hostId(),
        workflowId, i.vmName() + " is Destroyed"));
  }

  @Override
  public List<String> gpuInstancesOnHost(String hostId) {
    return jdbi.withHandle(h -> h.createQuery("SELECT id FROM instances WHERE host_id = :hostId"
            + " AND state IN ('Running', 'Stopped') AND gpu_count > 0 AND vgpu_profile_id IS NOT NULL"
            + " ORDER BY created_at, id")
        .bind("hostId", hostId).mapTo(String.class).list());
  }

  /**
   * Maintenance is entered only from PrepareForMaintenance, so that a maintenance cancelled while its
   * workflow ran is not put back in Maintenance at the workflow's end (that fails with InvalidState).
   * A repeat (the host in that state already) changes nothing and writes no event.
   */
  @Override
  public void setHostResourceState(String hostId, String resourceState, String eventType, String workflowId) {
    if (!RESOURCE_STATES.contains(resourceState)) {
      throw ApplicationFailure.newNonRetryableFailure("unknown resource state " + resourceState, INVALID_STATE);
    }
    jdbi.useTransaction(TransactionIsolationLevel.READ_COMMITTED, h -> {
      PlacementStatements.HostStatus s = h.createQuery("SELECT name, state, resource_state FROM hosts"
              + " WHERE id = :id FOR UPDATE")
          .bind("id", hostId)
          .map((rs, ctx) -> new PlacementStatements.HostStatus(rs.getString(1), rs.getString(2), rs.getString(3)))
          .findOne()
          .orElseThrow(() -> ApplicationFailure.newNonRetryableFailure("host " + hostId + " does not exist",
              INVALID_STATE));
      if (resourceState.equals(s.resourceState())) {
        return;
      }
      if ("Maintenance".equals(resourceState) && !"PrepareForMaintenance".equals(s.resourceState())) {
        throw ApplicationFailure.newNonRetryableFailure("host " + s.name() + " is " + s.resourceState()
            + ", not PrepareForMaintenance (maintenance cancelled?)", INVALID_STATE);
      }
      h.createUpdate("UPDATE hosts SET resource_state = :rs WHERE id = :id")
          .bind("rs", resourceState).bind("id", hostId).execute();
      if (eventType != null) {
        Events.record(h, new Events.Event(eventType, Events.COMPLETED, null, null, null, hostId, workflowId,
            "host " + s.name() + ": " + s.resourceState() + " -> " + resourceState));
      }
    });
  }

  // ---------------------------------------------------------------------------------------------

  private InstanceRow instance(String instanceId) {
    return jdbi.withHandle(h -> new PlacementStatements(h).instance(instanceId))
        .orElseThrow(() -> Placement.notFound(instanceId));
  }

  /** Frees what the instance holds (on one host, or anywhere when hostId is null), vGPU parents re-derived. */
  private static void freeHeld(Handle h, String instanceId, String hostId) {
    ReleaseDao dao = h.attach(ReleaseDao.class);
    List<String> parents = dao.parentsOfHeld(instanceId, hostId);
    dao.freeDevices(instanceId, hostId);
    Placement.refreshParents(h, parents);
  }

  private static void setGpusReleased(Handle h, String instanceId, boolean released) {
    h.createUpdate("UPDATE instances SET gpus_released = :released WHERE id = :id")
        .bind("released", released).bind("id", instanceId).execute();
  }

  private static int heldCount(Handle h, String instanceId) {
    return h.createQuery("SELECT COUNT(*) FROM gpu_devices WHERE instance_id = :id").bind("id", instanceId)
        .mapTo(Integer.class).one();
  }

  private static boolean endEventWritten(Handle h, String instanceId, String workflowId) {
    return h.createQuery("SELECT COUNT(*) FROM events WHERE instance_id = :instanceId AND workflow_id <=> :workflowId"
            + " AND state IN ('Completed', 'Failed')")
        .bind("instanceId", instanceId).bind("workflowId", workflowId).mapTo(Integer.class).one() > 0;
  }

  /** Who asked for the operation the workflow runs, and its event type, from its Scheduled event. */
  private record Scheduled(String type, String userId) {}

  private static Scheduled scheduled(Handle h, String instanceId, String workflowId, String defaultType) {
    Optional<Scheduled> s = h.createQuery("SELECT type, user_id FROM events WHERE instance_id = :instanceId"
            + " AND workflow_id = :workflowId AND state = 'Scheduled' ORDER BY created_at LIMIT 1")
        .bind("instanceId", instanceId).bind("workflowId", workflowId)
        .map((rs, ctx) -> new Scheduled(rs.getString(1), rs.getString(2))).findOne();
    return s.orElse(new Scheduled(defaultType, null));
  }

  private static String eventTypeOf(String transitionalState) {
    return switch (transitionalState) {
      case "Starting" -> "VM.START";
      case "Rebooting" -> "VM.REBOOT";
      case "Migrating" -> "VM.MIGRATE";
      default -> "VM.CREATE";
    };
  }

  private static String truncate(String s) {
    return s.length() > 4000 ? s.substring(0, 4000) : s;
  }
}
