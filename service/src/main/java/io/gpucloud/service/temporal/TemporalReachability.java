package io.gpucloud.service.temporal;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * When this process last found the Temporal frontend unreachable. After an outage the SDK's pollers (the
 * agents' and ours) back off for up to a minute before they poll again, so for a while after Temporal is
 * back a host's queue shows no poller although its agent is fine: within {@link #GRACE} of the last
 * failure nobody may take a missing poller for a dead host. The process start counts as a failure seen:
 * what happened before it is unknown.
 */
public final class TemporalReachability {
  /** The SDK's poller backoff (at most a minute), gRPC's reconnect (reset every 10 s), and a margin. */
  public static final Duration GRACE = Duration.ofSeconds(90);

  private static final TemporalReachability PROCESS = new TemporalReachability(Clock.systemUTC());

  private final Clock clock;
  private volatile Instant lastUnreachable;
  private volatile boolean reachable;

  TemporalReachability(Clock clock) {
    this.clock = clock;
    this.lastUnreachable = clock.instant();
  }

  /** This process's tracker, fed by the probe of {@link TemporalManaged} and by every caller that talks to Temporal. */
  public static TemporalReachability process() {
    return PROCESS;
  }

  /** A call to Temporal failed for want of a server. */
  public void unreachable() {
    lastUnreachable = clock.instant();
    reachable = false;
  }

  /** A call to Temporal succeeded. */
  public void reachable() {
    reachable = true;
  }

  /**
   * Why a host whose queue shows no recent poller must not be judged now, if it must not: Temporal is
   * unreachable, or was within the grace.
   */
  public Optional<String> withinOutageGrace() {
    if (!reachable) {
      return Optional.of("Temporal is unreachable from this control plane");
    }
    Duration since = Duration.between(lastUnreachable, clock.instant());
    if (since.compareTo(GRACE) < 0) {
      return Optional.of("Temporal was unreachable " + since.toSeconds() + " s ago (the pollers back off up to a"
          + " minute after an outage; grace " + GRACE.toSeconds() + " s)");
    }
    return Optional.empty();
  }
}
