package io.gpucloud.controlplane.instance;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpucloud.activities.instance.Reservation;
import io.gpucloud.controlplane.TestDatabase;
import java.util.List;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * NVIDIA's vGPU on SR-IOV: each vGPU (MDEV) sits on a VF (a VGPU_ONLY vehicle) of a GPU (VGPU_ONLY).
 * Packing counts free room per physical GPU, not per VF, and a reservation or release re-derives the
 * state of every ancestor, the GPU included.
 */
class VfBackedVgpuDatabaseTest {
  private Jdbi jdbi;
  private Fleet fleet;
  private InstanceActivitiesImpl deploy;
  private String hostId;

  @BeforeEach
  void setUp() {
    jdbi = TestDatabase.jdbi();
    fleet = new Fleet(jdbi);
    deploy = new InstanceActivitiesImpl(jdbi);
    hostId = fleet.host("V1", 0);
  }

  /** A GPU at bus {@code gpuBus} with {@code vfs} VFs, each carrying one vGPU of the fleet's profile. */
  private String gpu(int gpuBus, int vfs) {
    String gpu = UUID.randomUUID().toString();
    jdbi.useHandle(h -> {
      h.execute("INSERT INTO gpu_devices (id, host_id, bus_address, type, card_id, numa_node, pci_root, state)"
          + " VALUES (?, ?, ?, 'VGPU_ONLY', ?, 0, 'pci0000:00', 'Free')", gpu, hostId,
          String.format("0000:%02x:00.0", gpuBus), fleet.cardId);
      for (int v = 0; v < vfs; v++) {
        String vf = UUID.randomUUID().toString();
        h.execute("INSERT INTO gpu_devices (id, host_id, bus_address, type, card_id, parent_device_id, numa_node,"
            + " pci_root, state) VALUES (?, ?, ?, 'VGPU_ONLY', ?, ?, 0, 'pci0000:00', 'Free')", vf, hostId,
            String.format("0000:%02x:00.%d", gpuBus + 1, v + 1), fleet.cardId, gpu);
        h.execute("INSERT INTO gpu_devices (id, host_id, bus_address, type, card_id, profile_id, parent_device_id,"
            + " numa_node, pci_root, state) VALUES (?, ?, ?, 'MDEV', ?, ?, ?, 0, 'pci0000:00', 'Free')",
            UUID.randomUUID().toString(), hostId, UUID.randomUUID().toString(), fleet.cardId, fleet.profileId, vf);
      }
    });
    return gpu;
  }

  private String state(String deviceId) {
    return jdbi.withHandle(h -> h.createQuery("SELECT state FROM gpu_devices WHERE id = :id").bind("id", deviceId)
        .mapTo(String.class).one());
  }

  private String parentOf(String deviceId) {
    return jdbi.withHandle(h -> h.createQuery("SELECT parent_device_id FROM gpu_devices WHERE id = :id")
        .bind("id", deviceId).mapTo(String.class).one());
  }

  @Test
  void vgpusOnVfsArePackedOntoTheFullestGpuAndTheGpuStateFollows() {
    // the emptier GPU sorts first by address, so packing by VF (one free vGPU each) would take it
    String roomy = gpu(0x10, 3);
    String partly = gpu(0x40, 3);
    Reservation first = deploy.reserve(fleet.instance(1), List.of());
    String firstVf = parentOf(first.spec().devices().get(0).deviceId());
    String firstGpu = parentOf(firstVf);
    String other = firstGpu.equals(roomy) ? partly : roomy;
    assertThat(state(firstVf)).isEqualTo("PartiallyAllocated");
    assertThat(state(firstGpu)).as("the GPU under the VF follows its VF").isEqualTo("PartiallyAllocated");
    assertThat(state(other)).isEqualTo("Free");

    // two free vGPUs left on the GPU used, three on the other: best fit takes the GPU used
    for (int i = 0; i < 2; i++) {
      Reservation r = deploy.reserve(fleet.instance(1), List.of());
      assertThat(parentOf(parentOf(r.spec().devices().get(0).deviceId()))).isEqualTo(firstGpu);
    }
    assertThat(state(other)).as("the untouched GPU stays whole").isEqualTo("Free");

    deploy.release(first.spec().instanceId(), hostId);
    assertThat(state(firstVf)).isEqualTo("Free");
    assertThat(state(firstGpu)).as("still two vGPUs held on it").isEqualTo("PartiallyAllocated");
  }
}
