package io.gpucloud.service.inventory;

import io.gpucloud.activities.model.ResourceState;
import static io.gpucloud.service.ApiAssertions.fails;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class MaintenanceRequestTest {
  @Test
  void migrateIsTheDefaultAndStopTheOtherChoice() {
    assertThat(new MaintenanceRequest(null).mode()).isEqualTo("migrate");
    assertThat(new MaintenanceRequest("Stop").mode()).isEqualTo("stop");
    assertThat(new MaintenanceRequest("migrate").mode()).isEqualTo("migrate");
    fails(400, "gpuInstances must be migrate or stop", () -> new MaintenanceRequest("evacuate").mode());
    assertThat(ResourceState.PrepareForMaintenance.maintenance()).isTrue();
    assertThat(ResourceState.Disabled.maintenance()).isFalse();
  }
}
