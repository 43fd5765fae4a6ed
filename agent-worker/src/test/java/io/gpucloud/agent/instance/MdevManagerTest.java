package io.gpucloud.agent.instance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.gpucloud.activities.instance.AssignedDevice;
import io.gpucloud.activities.model.DeviceType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real ensure / release of {@link MdevManager}, with its {@link CreatedMdevs} record, through the real
 * {@link SysfsMdevBackend} on a sysfs-shaped directory whose kernel side is {@link FakeSysfs}: the writes to
 * {@code create} and {@code remove} and the record are what is asserted. The kernel acts within each write, so
 * the tests let {@link FakeSysfs#kernel()} act after every call.
 */
class MdevManagerTest {
  static final String GPU = "0000:00:05.0";
  static final String NVIDIA_GPU = "0000:3b:00.0";
  static final String I1 = "6f1e2a44-1b2c-4d3e-8f90-0123456789ab";
  static final String I2 = "7f1e2a44-1b2c-4d3e-8f90-0123456789ab";
  static final String M1 = "0b9a7c8e-1111-4222-8333-444455556666";
  static final String M2 = "0b9a7c8e-1111-4222-8333-444455556667";
  static final String OPERATORS = "0b9a7c8e-1111-4222-8333-444455556668";
  static final String CREATE_8Q = "sys/class/mdev_bus/" + GPU + "/mdev_supported_types/sim-8q/create";

  @TempDir Path tmp;
  FakeSysfs sysfs;
  CreatedMdevs record;
  MdevManager mdevs;

  @BeforeEach
  void setUp() throws Exception {
    Map<String, String> nvidia = new LinkedHashMap<>();
    nvidia.put("nvidia-590", "NVIDIA L40S-4Q");
    nvidia.put("nvidia-592", "NVIDIA L40S-12Q");
    sysfs = new FakeSysfs(tmp.resolve("root"))
        .gpu(GPU, Map.of("sim-8q", "sim-8q", "sim-4q", "sim-4q"))
        .gpu(NVIDIA_GPU, nvidia)
        .existingMdev(GPU, "sim-8q", OPERATORS);
    record = new CreatedMdevs(tmp.resolve("state"));
    mdevs = new MdevManager(new SysfsMdevBackend(sysfs.root), record);
  }

  static AssignedDevice mdev(String uuid, String profile, String parent) {
    return new AssignedDevice("m-" + uuid, uuid, DeviceType.MDEV, profile, parent, 0);
  }

  @Test
  void aMissingMdevIsCreatedRecordedAndRemovedOnce() throws Exception {
    mdevs.ensure(I1, "i-2-1-VM", mdev(M1, "sim-8q", GPU));
    assertThat(sysfs.kernel()).containsExactly(CREATE_8Q + " <- " + M1 + "\n");
    assertThat(sysfs.exists(M1)).isTrue();
    assertThat(record.read(I1, "i-2-1-VM").mdevs())
        .containsExactly(new CreatedMdevs.Entry(M1, "pci_0000_00_05_0", M1));

    mdevs.ensure(I1, "i-2-1-VM", mdev(M1, "sim-8q", GPU)); // a retry: it exists, nothing is written
    assertThat(sysfs.kernel()).isEmpty();
    assertThat(record.read(I1, "i-2-1-VM").mdevs()).hasSize(1);

    mdevs.release(I1, "i-2-1-VM");
    assertThat(sysfs.kernel()).containsExactly("sys/bus/mdev/devices/" + M1 + "/remove <- 1\n");
    assertThat(sysfs.exists(M1)).isFalse();
    assertThat(record.file(I1)).doesNotExist();

    mdevs.release(I1, "i-2-1-VM"); // a repeated undo: nothing recorded, nothing written
    assertThat(sysfs.kernel()).isEmpty();
  }

  @Test
  void anMdevThatExistedBeforeIsNeitherRecordedNorRemoved() throws Exception {
    mdevs.ensure(I1, "i-2-2-VM", mdev(OPERATORS.toUpperCase(), "sim-8q", GPU));
    assertThat(sysfs.kernel()).isEmpty();
    assertThat(record.file(I1)).doesNotExist();
    mdevs.release(I1, "i-2-2-VM");
    assertThat(sysfs.kernel()).isEmpty();
    assertThat(sysfs.exists(OPERATORS)).isTrue();
  }

  @Test
  void releaseRemovesOnlyWhatThisInstanceCreated() throws Exception {
    mdevs.ensure(I1, "i-2-3-VM", mdev(M1, "sim-8q", GPU));
    assertThat(sysfs.kernel()).containsExactly(CREATE_8Q + " <- " + M1 + "\n");
    mdevs.ensure(I2, "i-2-4-VM", mdev(M2, "sim-4q", GPU));
    assertThat(sysfs.kernel())
        .containsExactly("sys/class/mdev_bus/" + GPU + "/mdev_supported_types/sim-4q/create <- " + M2 + "\n");
    mdevs.ensure(I2, "i-2-4-VM", mdev(OPERATORS, "sim-8q", GPU));
    assertThat(sysfs.kernel()).isEmpty();

    mdevs.release(I2, "i-2-4-VM");
    assertThat(sysfs.kernel()).containsExactly("sys/bus/mdev/devices/" + M2 + "/remove <- 1\n");
    assertThat(sysfs.exists(M1)).isTrue();
    assertThat(sysfs.exists(OPERATORS)).isTrue();
    assertThat(record.read(I1, "i-2-3-VM").mdevs()).extracting(CreatedMdevs.Entry::uuid).containsExactly(M1);
  }

  @Test
  void theTypeIsFoundByTheProfileNameOfTheParent() throws Exception {
    mdevs.ensure(I1, "i-2-5-VM", mdev(M1, "L40S-12Q", NVIDIA_GPU));
    assertThat(sysfs.kernel()).containsExactly(
        "sys/class/mdev_bus/" + NVIDIA_GPU + "/mdev_supported_types/nvidia-592/create <- " + M1 + "\n");
  }

  @Test
  void aParentWithoutAnMdevBusFailsNamingIt() throws Exception {
    HostStepException e = catchThrowableOfType(
        () -> mdevs.ensure(I1, "i-2-6-VM", mdev(M1, "sim-8q", "0000:77:00.0")), HostStepException.class);
    assertThat(e.retryable()).isFalse();
    assertThat(e.getMessage()).isEqualTo("parent GPU 0000:77:00.0 (sysfs " + sysfs.root.resolve("sys/class/mdev_bus")
        + "/0000:77:00.0) of mdev " + M1 + " does not exist on this host");
    assertThat(record.file(I1)).doesNotExist();
  }

  /** The kernel offers no such type: the intent recorded before the attempt is cleared by release. */
  @Test
  void anUnknownTypeFailsForGoodAndReleaseClearsTheIntent() throws Exception {
    HostStepException e = catchThrowableOfType(
        () -> mdevs.ensure(I1, "i-2-7-VM", mdev(M1, "sim-16q", GPU)), HostStepException.class);
    assertThat(e.retryable()).isFalse();
    assertThat(e.getMessage()).startsWith("cannot create mdev " + M1 + " of type sim-16q on " + GPU + ": ")
        .endsWith("sim-16q does not exist");
    assertThat(record.read(I1, "i-2-7-VM").mdevs()).containsExactly(new CreatedMdevs.Entry(M1, "pci_0000_00_05_0", null));
    assertThat(sysfs.kernel()).isEmpty();

    mdevs.release(I1, "i-2-7-VM");
    assertThat(sysfs.kernel()).isEmpty();
    assertThat(record.file(I1)).doesNotExist();
  }

  @Test
  void aProfileThatIsAPathIsNeverFollowed() throws Exception {
    HostStepException e = catchThrowableOfType(
        () -> mdevs.ensure(I1, "i-2-8-VM", mdev(M1, "../sim-8q", GPU)), HostStepException.class);
    assertThat(e.retryable()).isFalse();
    assertThat(sysfs.kernel()).isEmpty();
  }

  /** A remove that fails keeps the mdev recorded for the next attempt, and the failure is retryable. */
  @Test
  void aFailedRemoveIsRetryableAndKeepsTheRecord() throws Exception {
    mdevs.ensure(I1, "i-2-9-VM", mdev(M1, "sim-8q", GPU));
    sysfs.kernel();
    mdevs.ensure(I1, "i-2-9-VM", mdev(M2, "sim-8q", GPU));
    sysfs.kernel();
    Files.delete(sysfs.root.resolve("sys/bus/mdev/devices").resolve(M1).resolve("remove")); // the kernel refuses
    HostStepException e = catchThrowableOfType(() -> mdevs.release(I1, "i-2-9-VM"), HostStepException.class);
    assertThat(e.retryable()).isTrue();
    assertThat(e.getMessage()).startsWith("cannot destroy mdev " + M1 + ": ");
    assertThat(sysfs.kernel()).containsExactly("sys/bus/mdev/devices/" + M2 + "/remove <- 1\n");
    assertThat(record.read(I1, "i-2-9-VM").mdevs()).extracting(CreatedMdevs.Entry::uuid).containsExactly(M1);
  }

  @Test
  void theBackendListsTypesSortedWithTheirNames() throws Exception {
    SysfsMdevBackend backend = new SysfsMdevBackend(sysfs.root);
    assertThat(backend.parent(io.gpucloud.activities.model.PciAddress.parse(NVIDIA_GPU)).orElseThrow().types())
        .containsExactly(new MdevType("nvidia-590", "NVIDIA L40S-4Q"), new MdevType("nvidia-592", "NVIDIA L40S-12Q"));
    assertThat(backend.exists(OPERATORS, null, null)).isTrue();
    assertThat(backend.exists(M1, null, null)).isFalse();
    assertThat(backend.remove(M1, null, null)).isFalse();
    assertThat(List.of(sysfs.kernel())).containsExactly(List.of());
  }
}
