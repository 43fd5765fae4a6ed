package io.gpucloud.controlplane.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Handle;

/**
 * The control plane's own metrics (operation durations, placement attempts, queue waits, discovery
 * failures), recorded into one Micrometer registry: the service's Prometheus registry once the service
 * has called {@link #use}, else a private in-memory one (tests, tools). Static so that the activities
 * need no constructor change; every method is cheap and never throws into the caller's work.
 *
 * <p>Names as Prometheus shows them: {@code gpucloud_operation_duration_seconds{operation,outcome}},
 * {@code gpucloud_placement_attempts_total{outcome}}, {@code gpucloud_queue_wait_seconds},
 * {@code gpucloud_discovery_failures_total{host}}.
 */
public final class ControlPlaneMetrics {
  public static final String OPERATION_DURATION = "gpucloud.operation.duration";
  public static final String PLACEMENT_ATTEMPTS = "gpucloud.placement.attempts";
  public static final String QUEUE_WAIT = "gpucloud.queue.wait";
  public static final String DISCOVERY_FAILURES = "gpucloud.discovery.failures";

  /** A placement attempt's outcome: it reserved the host. */
  public static final String RESERVED = "reserved";
  /** The host had no room, and nothing had said it had (a preferred host, a host not Up/Enabled...). */
  public static final String NO_ROOM = "no_room";
  /** The plan said the host had room and it had none under its lock, or a device changed during the reservation. */
  public static final String CONFLICT = "conflict";

  public static final String SUCCESS = "success";
  public static final String FAILURE = "failure";

  /** The operation label of each event type that ends an operation on an instance (CloudStack's names). */
  private static final Map<String, String> OPERATIONS = Map.of(
      "VM.CREATE", "deploy", "VM.STOP", "stop", "VM.START", "start", "VM.REBOOT", "reboot",
      "VM.MIGRATE", "migrate", "VM.DESTROY", "destroy", "VM.UPGRADE", "scale");

  /** Operations take from seconds (stop) to many minutes (a deploy that waits for a host). */
  private static final Duration[] OPERATION_BUCKETS = seconds(0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300, 600, 1800);
  /** Queued deploys wait from seconds to hours. */
  private static final Duration[] QUEUE_BUCKETS = seconds(1, 5, 15, 60, 300, 900, 1800, 3600, 7200, 21600, 86400);

  private static volatile MeterRegistry registry = new SimpleMeterRegistry();

  private ControlPlaneMetrics() {}

  /** Records into {@code r} from now on (the service's registry, set once at start-up). */
  public static void use(MeterRegistry r) {
    registry = r;
    for (String outcome : new String[] {RESERVED, NO_ROOM, CONFLICT}) {
      placementCounter(outcome); // present at 0 from the first scrape, so that rate() sees the first one
    }
    queueTimer();
  }

  public static MeterRegistry registry() {
    return registry;
  }

  // --- operation durations ---------------------------------------------------------------------

  /** The operation label of an event type ("VM.CREATE" -> "deploy"), empty for other types. */
  public static Optional<String> operationOf(String eventType) {
    return Optional.ofNullable(eventType == null ? null : OPERATIONS.get(eventType));
  }

  /** One operation ended after {@code took}. */
  public static void operationEnded(String operation, boolean success, Duration took) {
    Timer.builder(OPERATION_DURATION)
        .description("Time from the request (its Scheduled event) to the operation's Completed or Failed event")
        .tags("operation", operation, "outcome", success ? SUCCESS : FAILURE)
        .serviceLevelObjectives(OPERATION_BUCKETS)
        .register(registry)
        .record(took);
  }

  /**
   * Called where an event is written in the handle's transaction: when it is the end (Completed or
   * Failed) of an operation on an instance, its duration since the request's Scheduled event (both times
   * the database's, so no clock skew between replicas) is recorded once the transaction commits. The
   * callers write an operation's end event once per workflow, so a repeated step records nothing again.
   * {@code workflowId} null: the instance's current workflow (the deploy's).
   */
  public static void eventWritten(Handle h, String eventType, String state, String instanceId, String workflowId) {
    Optional<String> operation = operationOf(eventType);
    boolean completed = "Completed".equals(state);
    if (operation.isEmpty() || instanceId == null || !(completed || "Failed".equals(state))) {
      return;
    }
    Optional<Long> micros;
    try {
      micros = h.createQuery("SELECT TIMESTAMPDIFF(MICROSECOND, MIN(e.created_at), CURRENT_TIMESTAMP(6))"
              + " FROM events e WHERE e.workflow_id = COALESCE(:workflowId,"
              + " (SELECT i.workflow_id FROM instances i WHERE i.id = :instanceId)) AND e.state = 'Scheduled'")
          .bind("workflowId", workflowId).bind("instanceId", instanceId)
          .mapTo(Long.class).findOne();
    } catch (RuntimeException e) {
      return; // the operation's own statements decide whether its transaction commits, not this read
    }
    if (micros.isEmpty() || micros.get() == null) {
      return; // no request to measure from (an instance written by hand, a test)
    }
    Duration took = Duration.ofNanos(Math.max(0, micros.get()) * 1000);
    afterCommit(h, () -> operationEnded(operation.get(), completed, took));
  }

  // --- placement ---------------------------------------------------------------------------------

  /** One reservation attempt on one host ended with {@code outcome} (RESERVED, NO_ROOM, CONFLICT). */
  public static void placementAttempt(String outcome) {
    placementCounter(outcome).increment();
  }

  /** An attempt found the host without room: a conflict when the plan had said it had room. */
  public static void placementNoRoom(boolean planSaidRoom) {
    placementAttempt(planSaidRoom ? CONFLICT : NO_ROOM);
  }

  private static Counter placementCounter(String outcome) {
    return Counter.builder(PLACEMENT_ATTEMPTS)
        .description("Reservation attempts on one host, by outcome (conflict: the plan's view was stale or a"
            + " device changed under the reservation)")
        .tag("outcome", outcome)
        .register(registry);
  }

  // --- queue ---------------------------------------------------------------------------------------

  /** A queued deploy was admitted after waiting {@code waited} in state Queued. */
  public static void queueAdmitted(Duration waited) {
    queueTimer().record(waited.isNegative() ? Duration.ZERO : waited);
  }

  private static Timer queueTimer() {
    return Timer.builder(QUEUE_WAIT)
        .description("How long admitted deploys waited in state Queued")
        .serviceLevelObjectives(QUEUE_BUCKETS)
        .register(registry);
  }

  // --- discovery -----------------------------------------------------------------------------------

  /** A discovery of the host failed (recorded as its DISCOVERY_FAILED host event). */
  public static void discoveryFailed(String hostName) {
    Counter.builder(DISCOVERY_FAILURES)
        .description("Failed discoveries by host (no answer from the host, hook failure, invalid output)")
        .tag("host", hostName == null ? "" : hostName)
        .register(registry)
        .increment();
  }

  // ---------------------------------------------------------------------------------------------------

  /** Runs {@code r} once the handle's transaction commits (at once outside a transaction); never throws. */
  public static void afterCommit(Handle h, Runnable r) {
    Runnable safe = () -> {
      try {
        r.run();
      } catch (RuntimeException e) {
        // a metric is never worth failing the work it measures
      }
    };
    if (h.isInTransaction()) {
      h.afterCommit(safe);
    } else {
      safe.run();
    }
  }

  private static Duration[] seconds(double... s) {
    Duration[] out = new Duration[s.length];
    for (int i = 0; i < s.length; i++) {
      out[i] = Duration.ofMillis(Math.round(s[i] * 1000));
    }
    return out;
  }
}
