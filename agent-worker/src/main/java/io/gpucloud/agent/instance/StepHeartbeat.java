package io.gpucloud.agent.instance;

import io.temporal.activity.Activity;
import io.temporal.activity.ActivityExecutionContext;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Reports the step a host activity is in as its heartbeat, from a timer thread, once the activity
 * has run for a beat period: {@link #AFTER}, or a third of the activity's heartbeat timeout when
 * that is shorter. The timer keeps beating while a libvirt call or hook blocks the activity's own
 * thread, so the heartbeat timeout tells a dead agent (nothing beats: retried on the restarted or
 * another worker after that timeout) from a slow step (beats go on, with the step as details in the
 * Temporal UI, e.g. "start i-2-10-VM"). A fast activity sends no heartbeat at all: the first one is
 * a synchronous call to the Temporal server, which every deploy would otherwise pay.
 *
 * <p>The steps call {@link #step}; outside an activity (plain calls, tests) that does nothing.
 */
final class StepHeartbeat implements AutoCloseable {
  static final Duration AFTER = Duration.ofSeconds(2);

  private static final ScheduledExecutorService TIMER = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "step-heartbeat");
    t.setDaemon(true);
    return t;
  });
  private static final ThreadLocal<StepHeartbeat> CURRENT = new ThreadLocal<>();
  /** Heartbeats begun and not closed yet: each has a beat scheduled on the timer. */
  private static final AtomicInteger OPEN = new AtomicInteger();

  private final ActivityExecutionContext context;
  private final ScheduledFuture<?> beat;
  private volatile String step = "starting";

  private StepHeartbeat(ActivityExecutionContext context) {
    this.context = context;
    long period = period(context.getInfo().getHeartbeatTimeout()).toMillis();
    this.beat = TIMER.scheduleAtFixedRate(this::send, period, period, TimeUnit.MILLISECONDS);
    OPEN.incrementAndGet();
  }

  /** How often to beat for an activity with this heartbeat timeout (zero: none). */
  static Duration period(Duration heartbeatTimeout) {
    if (heartbeatTimeout == null || heartbeatTimeout.isZero()) {
      return AFTER;
    }
    Duration third = heartbeatTimeout.dividedBy(3);
    return third.compareTo(AFTER) < 0 ? third : AFTER;
  }

  /**
   * Starts heartbeating for the activity running on this thread; null outside an activity (a null
   * resource in try-with-resources is skipped).
   */
  static StepHeartbeat begin() {
    ActivityExecutionContext context;
    try {
      context = Activity.getExecutionContext();
    } catch (IllegalStateException | UnsupportedOperationException e) {
      return null;
    }
    StepHeartbeat h = new StepHeartbeat(context);
    CURRENT.set(h);
    return h;
  }

  /** The step this thread's activity is in now. */
  static void step(String detail) {
    StepHeartbeat h = CURRENT.get();
    if (h != null) {
      h.step = detail;
    }
  }

  private void send() {
    try {
      context.heartbeat(step);
    } catch (RuntimeException e) {
      // cancelled, completed meanwhile, or the server unreachable: the activity's own outcome decides
    }
  }

  /** How many activities have a heartbeat scheduled now: none once every one has ended (its beats cancelled). */
  static int open() {
    return OPEN.get();
  }

  @Override
  public void close() {
    beat.cancel(false);
    OPEN.decrementAndGet();
    CURRENT.remove();
  }
}
