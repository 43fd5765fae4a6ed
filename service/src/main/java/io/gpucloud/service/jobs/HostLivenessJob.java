package io.gpucloud.service.jobs;

import io.gpucloud.activities.host.HostActivities;
import io.gpucloud.service.temporal.HostLivenessActivitiesImpl;
import io.gpucloud.service.temporal.TemporalReachability;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.quartz.DisallowConcurrentExecution;
import org.quartz.Job;
import org.quartz.JobExecutionContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A host is Up while its agent worker polls the host's activity task queue ({@code host-<name>}):
 * a poller seen within {@code quartz.hostPollerMaxAgeSeconds} (60 s) makes it Up (and stamps
 * last_seen_at), none makes it Disconnected. Runs on one replica at a time (clustered Quartz). While
 * Temporal is unreachable, and for {@link TemporalReachability#GRACE} after it was (the pollers back off),
 * no host is marked Disconnected: an outage of Temporal is not one of the hosts.
 */
@DisallowConcurrentExecution
public class HostLivenessJob implements Job {
  private static final Logger LOG = LoggerFactory.getLogger(HostLivenessJob.class);
  public static final String NAME = "host-liveness";

  private final JobDependencies deps;

  public HostLivenessJob(JobDependencies deps) {
    this.deps = deps;
  }

  record HostRow(String id, String name, String state) {}

  @Override
  public void execute(JobExecutionContext context) {
    List<HostRow> hosts = deps.jdbi().withHandle(h -> h.createQuery("SELECT id, name, state FROM hosts ORDER BY name")
        .map((rs, ctx) -> new HostRow(rs.getString("id"), rs.getString("name"), rs.getString("state")))
        .list());
    Duration maxAge = Duration.ofSeconds(deps.config().getHostPollerMaxAgeSeconds());
    TemporalReachability reachability = TemporalReachability.process();
    for (HostRow host : hosts) {
      Optional<Instant> lastPoll;
      try {
        lastPoll = HostLivenessActivitiesImpl.lastPoll(deps.stubs(), deps.namespace(),
            HostActivities.taskQueue(host.name()));
        reachability.reachable();
      } catch (RuntimeException e) {
        // Temporal itself unreachable: we know nothing about the host, leave its state alone
        reachability.unreachable();
        LOG.warn("host liveness: cannot describe task queue of host {}: {}", host.name(), e.getMessage());
        return;
      }
      // Temporal just back: the agents' pollers may still be backing off (up to a minute), so a queue without
      // a recent poller says nothing about its host yet
      Optional<String> grace = reachability.withinOutageGrace();
      Instant now = Instant.now();
      boolean up = lastPoll.isPresent() && Duration.between(lastPoll.get(), now).compareTo(maxAge) <= 0;
      if (up) {
        deps.jdbi().useHandle(h -> h.createUpdate("UPDATE hosts SET state = 'Up', last_seen_at = :seen WHERE id = :id")
            .bind("seen", java.sql.Timestamp.from(lastPoll.get())).bind("id", host.id()).execute());
        if (!"Up".equals(host.state())) {
          LOG.info("host {} is Up (agent worker polling)", host.name());
        }
      } else if (grace.isPresent()) {
        LOG.debug("host liveness: host {} not judged: {}", host.name(), grace.get());
      } else if (!"Disconnected".equals(host.state())) {
        int changed = deps.jdbi().withHandle(h -> h.createUpdate(
                "UPDATE hosts SET state = 'Disconnected' WHERE id = :id AND state <> 'Disconnected'")
            .bind("id", host.id()).execute());
        if (changed > 0) {
          LOG.warn("host {} is Disconnected (no poller on {} within {} s)", host.name(),
              HostActivities.taskQueue(host.name()), maxAge.toSeconds());
        }
      }
    }
  }
}
