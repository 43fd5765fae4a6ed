package io.gpucloud.controlplane.instance;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpucloud.controlplane.TestDatabase;
import io.gpucloud.controlplane.instance.Placement.Purpose;
import io.gpucloud.controlplane.metrics.ControlPlaneMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** gpucloud_placement_attempts_total{outcome}: what each attempt of a real placement counts as. */
class PlacementMetricsDatabaseTest {
  private Fleet fleet;
  private SimpleMeterRegistry registry;

  @BeforeEach
  void setUp() {
    fleet = new Fleet(TestDatabase.jdbi());
    registry = new SimpleMeterRegistry();
    ControlPlaneMetrics.use(registry);
  }

  private Map<String, Double> counts() {
    return Map.of(ControlPlaneMetrics.RESERVED, count(ControlPlaneMetrics.RESERVED),
        ControlPlaneMetrics.NO_ROOM, count(ControlPlaneMetrics.NO_ROOM),
        ControlPlaneMetrics.CONFLICT, count(ControlPlaneMetrics.CONFLICT));
  }

  private double count(String outcome) {
    return registry.get(ControlPlaneMetrics.PLACEMENT_ATTEMPTS).tag("outcome", outcome).counter().count();
  }

  @Test
  void aReservationIsReservedAndAHostThePlanBelievedInButFullIsAConflict() {
    String a = fleet.host("A", 2);
    Placement placement = new InstanceActivitiesImpl(fleet.jdbi).placement();
    String first = fleet.instance(1);
    assertThat(placement.place(Purpose.DEPLOY, first, i -> List.of(), List.of()).reserved()).isTrue();
    assertThat(counts()).containsEntry(ControlPlaneMetrics.RESERVED, 1.0).containsEntry(ControlPlaneMetrics.CONFLICT, 0.0);

    // another replica takes A's last device: this process's plan view still counts one free there
    fleet.jdbi.useHandle(h -> h.execute("UPDATE gpu_devices SET state = 'Allocated' WHERE host_id = ? AND state = 'Free'", a));
    String second = fleet.instance(1);
    assertThat(placement.place(Purpose.DEPLOY, second, i -> List.of(), List.of()).reserved()).isFalse();

    assertThat(counts()).containsEntry(ControlPlaneMetrics.RESERVED, 1.0).containsEntry(ControlPlaneMetrics.CONFLICT, 1.0)
        .containsEntry(ControlPlaneMetrics.NO_ROOM, 0.0);
    // the view was corrected: asked again, the same host (now a preferred one) is plain no room
    assertThat(placement.place(Purpose.DEPLOY, second, i -> List.of(a), List.of()).reserved()).isFalse();
    assertThat(counts()).containsEntry(ControlPlaneMetrics.NO_ROOM, 1.0).containsEntry(ControlPlaneMetrics.CONFLICT, 1.0);
  }
}
