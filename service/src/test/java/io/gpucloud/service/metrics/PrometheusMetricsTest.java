package io.gpucloud.service.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpucloud.controlplane.metrics.ControlPlaneMetrics;
import io.gpucloud.service.metrics.DatabaseGauges.DeviceCount;
import io.gpucloud.service.metrics.DatabaseGauges.Snapshot;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The scrape's names, labels and values, from an in-memory source (no database). */
class PrometheusMetricsTest {
  private PrometheusMeterRegistry registry;
  private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
  private final AtomicInteger loads = new AtomicInteger();
  private final AtomicReference<Object> next = new AtomicReference<>();
  private DatabaseGauges gauges;

  @BeforeEach
  void setUp() {
    registry = ServiceMetrics.registry(); // also makes the control plane record into it
    next.set(new Snapshot(
        List.of(new DeviceCount("H1", "A100", "grid-a100-4c", "Free", 6),
            new DeviceCount("H1", "A100", "grid-a100-4c", "Allocated", 2),
            new DeviceCount("H1", "A100", "none", "PartiallyAllocated", 1)),
        Map.of("Running", 3L, "Queued", 2L), 2, 42.5));
    gauges = new DatabaseGauges(registry, () -> {
      loads.incrementAndGet();
      Object n = next.get();
      if (n instanceof RuntimeException e) {
        throw e;
      }
      return (Snapshot) n;
    }, Duration.ofSeconds(5), nanos::get);
  }

  private String scrape() {
    gauges.refresh();
    return registry.scrape(PrometheusServlet.TEXT);
  }

  @Test
  void databaseGaugesCarryHostCardProfileAndState() {
    String text = scrape();
    assertThat(text).contains(
        "gpucloud_gpu_devices{card=\"A100\",host=\"H1\",profile=\"grid-a100-4c\",state=\"Free\"} 6",
        "gpucloud_gpu_devices{card=\"A100\",host=\"H1\",profile=\"grid-a100-4c\",state=\"Allocated\"} 2",
        "gpucloud_gpu_devices{card=\"A100\",host=\"H1\",profile=\"none\",state=\"PartiallyAllocated\"} 1",
        "gpucloud_instances{state=\"Running\"} 3",
        "gpucloud_instances{state=\"Queued\"} 2",
        "gpucloud_instances{state=\"Stopped\"} 0", // every known state, 0 when none is in it
        "gpucloud_instances{state=\"Creating\"} 0",
        "gpucloud_queue_length 2",
        "gpucloud_queue_oldest_wait_seconds 42.5",
        "# TYPE gpucloud_gpu_devices gauge");
  }

  @Test
  void theDatabaseIsReadAtMostOncePerCacheTime() {
    scrape();
    scrape();
    assertThat(loads).hasValue(1);
    next.set(new Snapshot(List.of(new DeviceCount("H1", "A100", "grid-a100-4c", "Free", 8)), Map.of(), 0, 0));
    nanos.addAndGet(Duration.ofSeconds(4).toNanos());
    assertThat(scrape()).contains("state=\"Free\"} 6");
    nanos.addAndGet(Duration.ofSeconds(2).toNanos());
    String text = scrape();
    assertThat(loads).hasValue(2);
    // rows no longer in the database are gone, the others updated
    assertThat(text).contains("gpucloud_gpu_devices{card=\"A100\",host=\"H1\",profile=\"grid-a100-4c\",state=\"Free\"} 8",
        "gpucloud_instances{state=\"Running\"} 0", "gpucloud_queue_length 0")
        .doesNotContain("state=\"Allocated\"}");
  }

  @Test
  void aDatabaseFailureKeepsThePreviousFiguresAndIsCounted() {
    scrape();
    next.set(new IllegalStateException("database away"));
    nanos.addAndGet(Duration.ofSeconds(6).toNanos());
    String text = scrape();
    assertThat(text).contains("state=\"Free\"} 6", "gpucloud_queue_length 2",
        "gpucloud_metrics_database_failures_total 1");
  }

  @Test
  void operationDurationsAreHistogramsByOperationAndOutcome() {
    ControlPlaneMetrics.operationEnded("deploy", true, Duration.ofSeconds(12));
    ControlPlaneMetrics.operationEnded("deploy", true, Duration.ofMillis(800));
    ControlPlaneMetrics.operationEnded("stop", false, Duration.ofSeconds(3));
    String text = scrape();
    assertThat(text).contains(
        "# TYPE gpucloud_operation_duration_seconds histogram",
        "gpucloud_operation_duration_seconds_count{operation=\"deploy\",outcome=\"success\"} 2",
        "gpucloud_operation_duration_seconds_sum{operation=\"deploy\",outcome=\"success\"} 12.8",
        "gpucloud_operation_duration_seconds_bucket{operation=\"deploy\",outcome=\"success\",le=\"1.0\"} 1",
        "gpucloud_operation_duration_seconds_bucket{operation=\"deploy\",outcome=\"success\",le=\"20.0\"} 2",
        "gpucloud_operation_duration_seconds_bucket{operation=\"deploy\",outcome=\"success\",le=\"+Inf\"} 2",
        "gpucloud_operation_duration_seconds_count{operation=\"stop\",outcome=\"failure\"} 1");
  }

  @Test
  void operationLabelsFollowTheEventTypes() {
    assertThat(Map.of("VM.CREATE", "deploy", "VM.STOP", "stop", "VM.START", "start", "VM.REBOOT", "reboot",
        "VM.MIGRATE", "migrate", "VM.DESTROY", "destroy", "VM.UPGRADE", "scale"))
        .allSatisfy((type, op) -> assertThat(ControlPlaneMetrics.operationOf(type)).contains(op));
    assertThat(ControlPlaneMetrics.operationOf("HOST.MAINTENANCE.PREPARE")).isEmpty();
  }

  @Test
  void placementQueueAndDiscoveryCounters() {
    String before = scrape();
    // every outcome is there from the start, at 0
    assertThat(before).contains("gpucloud_placement_attempts_total{outcome=\"reserved\"} 0",
        "gpucloud_placement_attempts_total{outcome=\"no_room\"} 0",
        "gpucloud_placement_attempts_total{outcome=\"conflict\"} 0",
        "gpucloud_queue_wait_seconds_count 0");
    ControlPlaneMetrics.placementAttempt(ControlPlaneMetrics.RESERVED);
    ControlPlaneMetrics.placementAttempt(ControlPlaneMetrics.RESERVED);
    ControlPlaneMetrics.placementNoRoom(true);
    ControlPlaneMetrics.placementNoRoom(false);
    ControlPlaneMetrics.queueAdmitted(Duration.ofSeconds(90));
    ControlPlaneMetrics.discoveryFailed("H2");
    String text = scrape();
    assertThat(text).contains("gpucloud_placement_attempts_total{outcome=\"reserved\"} 2",
        "gpucloud_placement_attempts_total{outcome=\"no_room\"} 1",
        "gpucloud_placement_attempts_total{outcome=\"conflict\"} 1",
        "gpucloud_queue_wait_seconds_count 1",
        "gpucloud_queue_wait_seconds_bucket{le=\"300.0\"} 1",
        "gpucloud_queue_wait_seconds_bucket{le=\"60.0\"} 0",
        "gpucloud_discovery_failures_total{host=\"H2\"} 1");
  }

  @Test
  void jvmMetricsAreThere() {
    assertThat(scrape()).contains("jvm_memory_used_bytes{", "jvm_threads_live_threads", "process_uptime_seconds");
  }
}
