package io.gpucloud.service.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gpucloud.controlplane.events.Events;
import io.gpucloud.controlplane.instance.InstanceActivitiesImpl;
import io.gpucloud.controlplane.inventory.InventoryActivitiesImpl;
import io.gpucloud.controlplane.metrics.ControlPlaneMetrics;
import io.gpucloud.service.LifecycleFixture;
import io.gpucloud.service.metrics.DatabaseGauges.DeviceCount;
import io.gpucloud.service.metrics.DatabaseGauges.Snapshot;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.jdbi.v3.core.transaction.TransactionIsolationLevel;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The metrics that read MariaDB: the GROUP BY gauges and the queue, and the operation durations measured
 * from the request's Scheduled event, on the test database of {@code TestDatabase} (scripts/with-test-db.sh).
 */
class MetricsDatabaseTest {
  private final LifecycleFixture f = new LifecycleFixture();
  private PrometheusMeterRegistry registry;

  @BeforeEach
  void setUp() {
    registry = ServiceMetrics.registry();
  }

  @Test
  void devicesAreCountedByHostCardProfileAndState() {
    String host = f.host("Up", "Enabled", 3);
    String account = f.account(f.domain("metrics", null));
    f.instance(account, "Running", host, 2);
    String name = f.hostName(host);

    Snapshot s = DatabaseGauges.database(f.jdbi).load();

    assertThat(s.devices()).filteredOn(d -> d.host().equals(name)).containsExactlyInAnyOrder(
        new DeviceCount(name, "card " + f.sfx, "sim-8q", "Allocated", 2),
        new DeviceCount(name, "card " + f.sfx, "sim-8q", "Free", 3));
    assertThat(s.instancesByState().get("Running")).isGreaterThanOrEqualTo(1L);

    DatabaseGauges gauges = new DatabaseGauges(registry, DatabaseGauges.database(f.jdbi), ServiceMetrics.DATABASE_CACHE);
    gauges.refresh();
    assertThat(registry.scrape(PrometheusServlet.TEXT)).contains(
        "gpucloud_gpu_devices{card=\"card " + f.sfx + "\",host=\"" + name + "\",profile=\"sim-8q\",state=\"Free\"} 3");
  }

  @Test
  void theQueueIsItsLengthAndTheOldestWait() {
    String account = f.account(f.domain("queue", null));
    String queued = f.instance(account, "Queued", null, 0);
    f.jdbi.useHandle(h -> h.execute("UPDATE instance_state_changes SET changed_at = NOW(6) - INTERVAL 90 SECOND"
        + " WHERE instance_id = ? AND state = 'Queued'", queued));

    Snapshot s = DatabaseGauges.database(f.jdbi).load();

    assertThat(s.queued()).isGreaterThanOrEqualTo(1);
    assertThat(s.oldestQueuedSeconds()).isBetween(89.0, 3600.0);
    assertThat(s.instancesByState().get("Queued")).isEqualTo(s.queued());
    f.setState(queued, "Destroyed");
  }

  @Test
  void aDeployIsTimedFromItsRequestWhenItCommits() {
    String host = f.host("Up", "Enabled", 0);
    String account = f.account(f.domain("deploy", null));
    String instance = f.instance(account, "Creating", host, 0);
    scheduled("VM.CREATE", instance, "deploy-" + instance, 3);

    new InstanceActivitiesImpl(f.jdbi).commit(instance, host);

    Timer t = registry.find(ControlPlaneMetrics.OPERATION_DURATION).tags("operation", "deploy", "outcome", "success")
        .timer();
    assertThat(t).isNotNull();
    assertThat(t.count()).isEqualTo(1);
    assertThat(t.totalTime(TimeUnit.MILLISECONDS)).isBetween(3_000.0, 60_000.0);
    new InstanceActivitiesImpl(f.jdbi).commit(instance, host); // a repeat writes no event: not counted again
    assertThat(t.count()).isEqualTo(1);
  }

  @Test
  void aFailedEndIsAFailureAndARolledBackOneNothing() {
    String account = f.account(f.domain("stop", null));
    String instance = f.instance(account, "Stopping", null, 0);
    String workflowId = "stop-" + instance + "-1";
    scheduled("VM.STOP", instance, workflowId, 2);
    Events.Event failed = new Events.Event("VM.STOP", Events.FAILED, null, account, instance, null, workflowId, "x");

    assertThatThrownBy(() -> f.jdbi.useTransaction(TransactionIsolationLevel.READ_COMMITTED, h -> {
      Events.record(h, failed);
      throw new IllegalStateException("rolled back");
    })).hasMessageContaining("rolled back");
    assertThat(registry.find(ControlPlaneMetrics.OPERATION_DURATION).timers()).isEmpty();

    f.jdbi.useTransaction(TransactionIsolationLevel.READ_COMMITTED, h -> Events.record(h, failed));
    Timer t = registry.find(ControlPlaneMetrics.OPERATION_DURATION).tags("operation", "stop", "outcome", "failure")
        .timer();
    assertThat(t.count()).isEqualTo(1);
    assertThat(t.totalTime(TimeUnit.MILLISECONDS)).isGreaterThanOrEqualTo(2_000.0);
    // events that end no operation on an instance are not timed
    f.jdbi.useTransaction(h -> Events.record(h, new Events.Event("HOST.MAINTENANCE.PREPARE", Events.COMPLETED, null,
        null, null, null, workflowId, "x")));
    assertThat(registry.find(ControlPlaneMetrics.OPERATION_DURATION).timers()).hasSize(1);
  }

  @Test
  void aDiscoveryFailureIsCountedForItsHost() {
    String name = f.hostName(f.host("Up", "Enabled", 0));
    new InventoryActivitiesImpl(f.jdbi).recordDiscoveryFailure(name, "discover-" + name + "-1", "no answer");
    assertThat(registry.scrape(PrometheusServlet.TEXT)).contains("gpucloud_discovery_failures_total{host=\"" + name + "\"} 1");
  }

  /** The request's Scheduled event, {@code secondsAgo} in the past. */
  private void scheduled(String type, String instanceId, String workflowId, int secondsAgo) {
    f.jdbi.useHandle(h -> h.execute("INSERT INTO events (id, type, state, instance_id, workflow_id, description,"
        + " created_at) VALUES (?, ?, 'Scheduled', ?, ?, 'requested', NOW(6) - INTERVAL ? SECOND)",
        UUID.randomUUID().toString(), type, instanceId, workflowId, secondsAgo));
  }
}
