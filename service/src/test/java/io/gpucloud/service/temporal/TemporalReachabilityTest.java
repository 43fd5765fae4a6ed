package io.gpucloud.service.temporal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

import org.junit.jupiter.api.Test;

/** After an outage (and after the process starts) a missing poller says nothing about a host for the grace. */
class TemporalReachabilityTest {
  static final class MovingClock extends Clock {
    Instant now = Instant.parse("2025-01-01T00:00:00Z");

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }

    void advance(Duration d) {
      now = now.plus(d);
    }
  }

  @Test
  void graceAfterStartThenNoneThenGraceAfterAnOutage() {
    MovingClock clock = new MovingClock();
    TemporalReachability r = new TemporalReachability(clock);
    assertThat(r.withinOutageGrace()).hasValueSatisfying(w -> assertThat(w).contains("unreachable from this"));
    r.reachable();
    assertThat(r.withinOutageGrace()).hasValueSatisfying(w -> assertThat(w).contains("was unreachable 0 s ago"));
    clock.advance(TemporalReachability.GRACE);
    assertThat(r.withinOutageGrace()).isEmpty();

    r.unreachable(); // the outage
    clock.advance(Duration.ofSeconds(45));
    assertThat(r.withinOutageGrace()).hasValueSatisfying(w -> assertThat(w).contains("unreachable from this"));
    r.unreachable();
    r.reachable(); // back
    clock.advance(Duration.ofSeconds(60)); // pollers still backing off
    assertThat(r.withinOutageGrace()).hasValueSatisfying(w -> assertThat(w).contains("was unreachable 60 s ago"));
    clock.advance(TemporalReachability.GRACE.minusSeconds(59));
    assertThat(r.withinOutageGrace()).isEmpty();
  }
}
