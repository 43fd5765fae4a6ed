package io.gpucloud.controlplane.instance;

import io.gpucloud.activities.instance.InstanceActivities;
import io.gpucloud.activities.instance.QueueStatus;
import io.gpucloud.activities.instance.Reservation;
import io.gpucloud.controlplane.events.Events;
import io.gpucloud.controlplane.instance.Placement.Purpose;
import io.temporal.failure.ApplicationFailure;
import java.util.List;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.transaction.TransactionIsolationLevel;

/**
 * Control-plane deploy steps on MariaDB. The reservation is {@link Placement}'s, shared with the
 * lifecycle's start and migration: locks are taken in one order everywhere (instance row, limit
 * scopes, host row, then the devices the reservation updates), and only those rows: deploys
 * serialise on the host they compete for, deploys on other hosts do not wait for each other. InnoDB
 * deadlocks that still happen are retried by Temporal.
 */
public class InstanceActivitiesImpl implements InstanceActivities {
  /** Placements one process runs at once, by default. */
  public static final int DEFAULT_CONCURRENT_PLACEMENTS = 4;

  private final Jdbi jdbi;
  private final Placement placement;
  /** Runs an admission pass at once after an enqueue (none: the next pass elsewhere admits it). */
  private volatile Runnable admissionNow = () -> { };

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
    this.placement = new Placement(jdbi, concurrentPlacements);
  }

  /** The placement (plan view and placement turns) this process's lifecycle activities share. */
  Placement placement() {
    return placement;
  }

  @Override
  public Reservation reserve(String instanceId, List<String> excludedHostIds) {
    jdbi.useHandle(Events::startedOnce); // VM.CREATE Started, once, when the deploy's first step runs
    // a repeat: the host it was placed on already is tried first
    return placement.inTurn(() -> placement.place(Purpose.DEPLOY, instanceId,
        i -> i.hostId() == null ? List.of() : List.of(i.hostId()), excludedHostIds));
  }

  /** What runs an admission pass at once, in the enqueueing thread (see {@link #enqueue}). */
  public void admitWith(Runnable admissionPassNow) {
    this.admissionNow = admissionPassNow;
  }

  @Override
  public QueueStatus enqueue(String instanceId) {
    QueueStatus q = jdbi.inTransaction(TransactionIsolationLevel.READ_COMMITTED, h -> QueueSteps.enqueue(h, instanceId));
    if (!q.is(QueueStatus.WAITING)) {
      return q;
    }
    admissionNow.run(); // capacity may be there (behind waiters, or kept for none): the pass decides, in order
    return jdbi.withHandle(h -> QueueSteps.status(h, instanceId));
  }

  @Override
  public QueueStatus queueStatus(String instanceId) {
    return jdbi.withHandle(h -> QueueSteps.status(h, instanceId));
  }

  @Override
  public boolean expireQueued(String instanceId, String reason) {
    return jdbi.inTransaction(TransactionIsolationLevel.READ_COMMITTED, h -> QueueSteps.failQueued(h, instanceId, reason));
  }

  @Override
  public List<String> withdrawBatch(String batchId) {
    return jdbi.inTransaction(TransactionIsolationLevel.READ_COMMITTED, h -> {
      List<String> queued = h.createQuery("SELECT id FROM instances WHERE batch_id = :b AND state = 'Queued' FOR UPDATE")
          .bind("b", batchId).mapTo(String.class).list();
      return queued.stream().filter(id -> QueueSteps.withdraw(h, id, null)).toList();
    });
  }

  /** The admission pass's reservations, through this process's placement turns. */
  public Admitter admitter() {
    return new Admitter(placement);
  }

  /** One attempt on one host, in one transaction; not reserved when the host no longer has room. */
  Reservation reserveOn(String instanceId, String hostId) {
    return placement.attempt(Purpose.DEPLOY, instanceId, hostId);
  }

  @Override
  public void release(String instanceId, String hostId) {
    jdbi.useTransaction(TransactionIsolationLevel.READ_COMMITTED, h -> {
      ReleaseDao dao = h.attach(ReleaseDao.class);
      dao.lockInstance(instanceId).orElseThrow(() -> Placement.notFound(instanceId));
      List<String> parents = dao.parentsOfHeld(instanceId, hostId);
      dao.freeDevices(instanceId, hostId);
      Placement.refreshParents(h, parents);
      dao.unplace(instanceId, hostId);
    });
  }

  @Override
  public void commit(String instanceId, String hostId) {
    jdbi.useTransaction(TransactionIsolationLevel.READ_COMMITTED, h -> {
      PlacementStatements dao = new PlacementStatements(h);
      InstanceRow i = dao.lockInstance(instanceId).orElseThrow(() -> Placement.notFound(instanceId));
      if ("Running".equals(i.state()) && hostId.equals(i.hostId())) {
        return; // a repeat
      }
      dao.allocateDevices(instanceId, hostId);
      if (dao.markRunning(instanceId, hostId) != 1) {
        throw ApplicationFailure.newNonRetryableFailure(
            "instance " + instanceId + " is " + i.state() + " on " + i.hostId() + ", cannot commit on " + hostId,
            INVALID_STATE);
      }
      dao.deployEvent(instanceId, Events.COMPLETED, " is Running");
    });
  }

  @Override
  public void fail(String instanceId, String reason) {
    jdbi.useTransaction(TransactionIsolationLevel.READ_COMMITTED, h -> {
      ReleaseDao dao = h.attach(ReleaseDao.class);
      InstanceRow i = dao.lockInstance(instanceId).orElseThrow(() -> Placement.notFound(instanceId));
      List<String> parents = dao.parentsOfHeld(instanceId, null);
      dao.freeDevices(instanceId, null);
      Placement.refreshParents(h, parents);
      String why = reason.length() > 4000 ? reason.substring(0, 4000) : reason;
      if ("Creating".equals(i.state())) { // else a repeat: markError changes nothing either
        new PlacementStatements(h).deployEvent(instanceId, Events.FAILED, " is Error: " + why); // with its host
      }
      dao.markError(instanceId, why);
    });
  }
}
