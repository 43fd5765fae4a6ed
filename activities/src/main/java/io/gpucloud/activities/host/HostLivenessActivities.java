package io.gpucloud.activities.host;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;

/**
 * Whether a host that did not pick a step up in time is believed alive: run by the control plane (a
 * local activity) when a host step hits its schedule-to-start timeout. A Temporal outage is not a dead
 * host: after the server comes back the agents' pollers are still backing off (up to a minute in the
 * SDK), so a step can time out on a host whose agent is fine.
 */
@ActivityInterface
public interface HostLivenessActivities {
  /** The verdict, and why (for the log and the workflow's history). */
  record Verdict(boolean alive, String why) {}

  /**
   * Alive when Temporal was unreachable (from this control plane) within the poller backoff grace, or
   * when the host's agent polled its queue within {@code recentSeconds}; never throws for want of an
   * answer from Temporal (that counts as an outage).
   */
  @ActivityMethod(name = "HostLiveness")
  Verdict hostLiveness(String hostName, int recentSeconds);
}
