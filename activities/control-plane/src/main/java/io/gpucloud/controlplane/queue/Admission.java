package io.gpucloud.controlplane.queue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs admission passes when capacity may have freed. The wake-up is the database's: every transaction
 * that frees capacity writes a row to admission_wakeups (triggers, V13), and a pass deletes the rows it
 * saw. This process looks for rows when told something happened ({@link #kick}: after each control-plane
 * activity and each API write here, at once after an enqueue) and, as a safety net for the other
 * replicas' releases, every {@code safetyNet}. One pass runs at a time across all replicas (a MariaDB
 * named lock); the replica holding it runs again while rows keep coming, so no wake-up waits for the net
 * except one that lands in the instant between a pass's last look and its unlock on another replica.
 */
public final class Admission implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Admission.class);
  private static final String LOCK = "gpucloud-admission";

  private final Jdbi jdbi;
  private final AdmissionPass pass;
  private final Duration safetyNet;
  private final AtomicBoolean kicked = new AtomicBoolean();
  private final ScheduledExecutorService runner = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "admission");
    t.setDaemon(true);
    return t;
  });
  private volatile AdmissionPass.Result last = new AdmissionPass.Result(0, 0, 0);

  public Admission(Jdbi jdbi, AdmissionPass pass, Duration safetyNet) {
    this.jdbi = jdbi;
    this.pass = pass;
    this.safetyNet = safetyNet;
  }

  public void start() {
    runner.scheduleWithFixedDelay(this::drainQuietly, safetyNet.toMillis(), safetyNet.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Something that may free capacity happened here: look for wake-ups soon (coalesced, never blocks). */
  public void kick() {
    if (kicked.compareAndSet(false, true)) {
      runner.execute(() -> {
        kicked.set(false);
        drainQuietly();
      });
    }
  }

  /**
   * Runs the passes the pending wake-ups ask for, in the caller's thread, waiting up to {@code lockWait} for
   * another pass to end (that one then sees this caller's wake-up itself).
   */
  public void drain(Duration lockWait) {
    drain(lockWait, Integer.MAX_VALUE);
  }

  /**
   * As {@link #drain(Duration)}, running at most {@code maxPasses} passes: an enqueue's own pass (in a local
   * activity, with a timeout) runs once and leaves later wake-ups to the background.
   */
  public void drain(Duration lockWait, int maxPasses) {
    int passes = 0;
    while (passes < maxPasses && pending()) {
      try (Handle lockHolder = jdbi.open()) {
        Integer got = lockHolder.createQuery("SELECT GET_LOCK(:name, :wait)").bind("name", LOCK)
            .bind("wait", lockWait.toMillis() / 1000.0).mapTo(Integer.class).one();
        if (got == null || got != 1) {
          return; // another pass runs, and runs again while wake-ups keep coming
        }
        try {
          for (List<Long> seen = wakeups(); !seen.isEmpty() && passes < maxPasses; seen = wakeups()) {
            last = pass.run();
            passes++;
            List<Long> handled = seen;
            jdbi.useHandle(h -> h.createUpdate("DELETE FROM admission_wakeups WHERE id IN (<ids>)")
                .bindList("ids", handled).execute());
          }
        } finally {
          lockHolder.createQuery("SELECT RELEASE_LOCK(:name)").bind("name", LOCK).mapTo(Integer.class).one();
        }
      }
      // rows that landed between the last look and the unlock: looked at again now, not at the next net
    }
    if (passes >= maxPasses) {
      kick(); // what is left runs in the background
    }
  }

  /** The last pass's figures. */
  public AdmissionPass.Result lastPass() {
    return last;
  }

  private boolean pending() {
    return jdbi.withHandle(h -> h.createQuery("SELECT EXISTS (SELECT 1 FROM admission_wakeups)")
        .mapTo(Boolean.class).one());
  }

  private List<Long> wakeups() {
    return jdbi.withHandle(h -> h.createQuery("SELECT id FROM admission_wakeups ORDER BY id LIMIT 10000")
        .mapTo(Long.class).list());
  }

  private void drainQuietly() {
    try {
      drain(Duration.ZERO);
    } catch (RuntimeException e) {
      // the database away: the wake-up rows stay, the next kick or net runs them
      LOG.warn("admission pass failed: {}", e.toString());
    }
  }

  @Override
  public void close() {
    runner.shutdownNow();
  }
}
