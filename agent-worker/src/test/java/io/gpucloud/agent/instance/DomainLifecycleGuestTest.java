package io.gpucloud.agent.instance;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.libvirt.ScriptedGuest.ScriptedConnect;
import org.libvirt.ScriptedGuest.ScriptedDomain;

/**
 * The stop and reboot logic against guests the test driver cannot play (it shuts a domain off at once and always
 * reboots): a guest that takes its time over the ACPI shutdown, one that ignores it, a driver without reboot.
 */
@Timeout(30)
class DomainLifecycleGuestTest {
  static final String UUID = "6f1e2a44-1b2c-4d3e-8f90-0123456789ab";

  ScriptedConnect connect;
  DomainLifecycle domains;

  @BeforeEach
  void setUp() throws Exception {
    connect = new ScriptedConnect();
    domains = new DomainLifecycle(connect, DomainJournal.NONE);
  }

  @AfterEach
  void tearDown() throws Exception {
    connect.close();
  }

  @Test
  void aGuestThatShutsDownWithinTheGracePeriodIsNotDestroyed() {
    ScriptedDomain guest = connect.add("vm", UUID, 400, true);
    long t0 = System.nanoTime();
    assertThat(domains.shutOff("vm", UUID, false, Duration.ofSeconds(20))).isTrue();
    Duration took = Duration.ofNanos(System.nanoTime() - t0);
    assertThat(guest.calls).containsExactly("shutdown");
    assertThat(guest.isActive()).isZero();
    assertThat(took).isGreaterThanOrEqualTo(Duration.ofMillis(400)).isLessThan(Duration.ofSeconds(5));
  }

  @Test
  void aGuestThatIgnoresTheAcpiEventIsDestroyedAfterTheGracePeriod() {
    ScriptedDomain guest = connect.add("vm", UUID, -1, true);
    long t0 = System.nanoTime();
    assertThat(domains.shutOff("vm", UUID, false, Duration.ofMillis(700))).isTrue();
    Duration took = Duration.ofNanos(System.nanoTime() - t0);
    assertThat(guest.calls).containsExactly("shutdown", "destroy");
    assertThat(guest.isActive()).isZero();
    assertThat(took).isGreaterThanOrEqualTo(Duration.ofMillis(700)).isLessThan(Duration.ofSeconds(5));
  }

  @Test
  void forceDestroysWithoutAsking() {
    ScriptedDomain guest = connect.add("vm", UUID, 0, true);
    assertThat(domains.shutOff("vm", UUID, true, Duration.ofMinutes(5))).isTrue();
    assertThat(guest.calls).containsExactly("destroy");
  }

  @Test
  void aGuestAlreadyOffIsLeftAsItIs() {
    ScriptedDomain guest = connect.add("vm", UUID, 0, true);
    guest.shutdown();
    guest.calls.clear();
    assertThat(domains.shutOff("vm", UUID, false, Duration.ofSeconds(5))).isTrue();
    assertThat(guest.calls).isEmpty();
  }

  @Test
  void aDriverWithoutRebootGetsADestroyAndAStart() {
    ScriptedDomain guest = connect.add("vm", UUID, 0, false);
    StringBuilder before = new StringBuilder();
    domains.reboot("vm", UUID, () -> before.append("hook"));
    assertThat(before).hasToString("hook");
    assertThat(guest.calls).containsExactly("reboot", "destroy", "create");
    assertThat(guest.isActive()).isEqualTo(1);
  }

  @Test
  void aRebootIsARebootWhereTheDriverHasOne() {
    ScriptedDomain guest = connect.add("vm", UUID, 0, true);
    domains.reboot("vm", UUID, () -> {});
    assertThat(guest.calls).containsExactly("reboot");
  }
}
