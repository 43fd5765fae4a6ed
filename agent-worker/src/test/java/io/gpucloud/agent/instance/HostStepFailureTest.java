package io.gpucloud.agent.instance;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpucloud.activities.instance.HostInstanceActivities;
import io.temporal.failure.ApplicationFailure;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.NoSuchFileException;
import org.junit.jupiter.api.Test;

/** The one translation of the agent's step failures into the activity's Temporal failures. */
class HostStepFailureTest {

  @Test
  void aPermanentLibvirtFailureIsNonRetryableLibvirtFailedWithoutCause() {
    ApplicationFailure f = HostInstanceActivitiesImpl.applicationFailure(
        HostStepException.permanent(HostStepException.Kind.LIBVIRT, "domain vm is not defined on this host"));
    assertThat(f.getType()).isEqualTo(HostInstanceActivities.LIBVIRT_FAILED);
    assertThat(f.isNonRetryable()).isTrue();
    assertThat(f.getOriginalMessage()).isEqualTo("domain vm is not defined on this host");
    assertThat(f.getCause()).isNull();
  }

  @Test
  void aRetryableFailureKeepsItsCause() {
    IOException io = new IOException("disk full");
    ApplicationFailure f = HostInstanceActivitiesImpl.applicationFailure(
        LibvirtFailures.stateFile(new UncheckedIOException("cannot write agent state file x: disk full", io)));
    assertThat(f.getType()).isEqualTo(HostInstanceActivities.LIBVIRT_FAILED);
    assertThat(f.isNonRetryable()).isFalse();
    assertThat(f.getOriginalMessage()).isEqualTo("cannot write agent state file x: disk full");
    assertThat(f.getCause()).isNotNull();
  }

  @Test
  void aHookFailureIsHookFailed() {
    ApplicationFailure f = HostInstanceActivitiesImpl.applicationFailure(
        HostStepException.permanent(HostStepException.Kind.HOOK, "state hook failed: boom"));
    assertThat(f.getType()).isEqualTo(HostInstanceActivities.HOOK_FAILED);
    assertThat(f.isNonRetryable()).isTrue();
    assertThat(f.getOriginalMessage()).isEqualTo("state hook failed: boom");
  }

  @Test
  void aSysfsAttributeThatDoesNotExistIsPermanentOtherIoErrorsAreRetryable() {
    HostStepException missing = LibvirtFailures.failure("cannot create mdev u of type t on p",
        new NoSuchFileException("/sys/class/mdev_bus/0000:00:05.0/mdev_supported_types/t"));
    assertThat(missing.retryable()).isFalse();
    assertThat(missing.getMessage()).isEqualTo("cannot create mdev u of type t on p: "
        + "/sys/class/mdev_bus/0000:00:05.0/mdev_supported_types/t does not exist");
    HostStepException busy = LibvirtFailures.failure("cannot create mdev u", new IOException("Device or resource busy"));
    assertThat(busy.retryable()).isTrue();
    assertThat(busy.getMessage()).isEqualTo("cannot create mdev u: Device or resource busy");
  }
}
