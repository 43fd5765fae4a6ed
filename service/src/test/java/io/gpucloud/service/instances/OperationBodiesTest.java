package io.gpucloud.service.instances;

import static io.gpucloud.service.ApiAssertions.fails;
import static org.assertj.core.api.Assertions.assertThat;

import io.gpucloud.activities.instance.Operation;
import org.junit.jupiter.api.Test;

/** The operations' bodies and messages, without a database. */
class OperationBodiesTest {
  @Test
  void bodiesValidateTheirFields() {
    assertThat(new OperationBodies.Stop(null).forced()).isFalse();
    assertThat(new OperationBodies.Stop(true).forced()).isTrue();
    String id = "0F8C2B5E-1A2B-4C3D-8E9F-001122334455";
    assertThat(new OperationBodies.Scale(id).validOfferingId()).isEqualTo(id.toLowerCase());
    fails(400, "offeringId is required", () -> new OperationBodies.Scale(" ").validOfferingId());
    fails(400, "offeringId must be a UUID", () -> new OperationBodies.Scale("small").validOfferingId());
    assertThat(new OperationBodies.Migrate(null).validHostId()).isNull();
    assertThat(new OperationBodies.Migrate("").validHostId()).isNull();
    fails(400, "hostId must be a UUID", () -> new OperationBodies.Migrate("H2").validHostId());
  }

  @Test
  void messagesNameTheOperationAndTheStatesItNeeds() {
    assertThat(InstanceOperations.name(Operation.MIGRATE)).isEqualTo("migrate");
    assertThat(InstanceOperations.needs(Operation.STOP)).isEqualTo("Running");
    assertThat(InstanceOperations.needs(Operation.START)).isEqualTo("Stopped");
    assertThat(InstanceOperations.needs(Operation.DESTROY)).isEqualTo("Running, Stopped or Error");
  }
}
