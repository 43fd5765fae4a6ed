package io.gpucloud.agent.instance;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpucloud.activities.instance.HostInstanceActivities;
import io.gpucloud.activities.instance.InstanceSpec;
import io.gpucloud.agent.hooks.HookRunner;
import io.gpucloud.agent.sim.HostSpecLoader;
import io.gpucloud.agent.sim.TestDriverXml;
import io.temporal.activity.ActivityOptions;
import io.temporal.testing.TestActivityEnvironment;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.libvirt.Connect;

/**
 * Heartbeats of the host activities in the Temporal activity test environment, on the test driver: whether they
 * happen and what they name. How soon and how often they come is measured in StepHeartbeatBench.
 */
@Timeout(60)
class StepHeartbeatTest {
  @TempDir Path tmp;
  Path hooks;
  Connect h1;
  TestActivityEnvironment env;
  final List<String> beats = new CopyOnWriteArrayList<>();
  /** Made when a beat names the transformer step: the slow hook below waits for it. */
  Path beatSeen;

  @BeforeEach
  void setUp() throws Exception {
    hooks = Files.createDirectories(tmp.resolve("hooks"));
    beatSeen = tmp.resolve("beat-seen");
    h1 = new Connect(TestDriverXml.write(HostSpecLoader.load(Path.of("..", "hosts", "H1.yml")), tmp.resolve("H1.xml")),
        false);
    env = TestActivityEnvironment.newInstance();
    env.registerActivitiesImplementations(HostInstanceActivitiesImplTest.onSimulated(h1, hooks,
        new HookRunner(Duration.ofSeconds(30), 1 << 20), tmp.resolve("state")));
    env.setActivityHeartbeatListener(String.class, detail -> {
      beats.add(detail);
      if (detail.startsWith("transform ")) {
        try {
          Files.writeString(beatSeen, detail);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
    });
  }

  @AfterEach
  void tearDown() throws Exception {
    env.close();
    h1.close();
  }

  HostInstanceActivities stub(Duration heartbeatTimeout) {
    return env.newActivityStub(HostInstanceActivities.class, ActivityOptions.newBuilder()
        .setStartToCloseTimeout(Duration.ofSeconds(45))
        .setHeartbeatTimeout(heartbeatTimeout)
        .build());
  }

  /**
   * Every heartbeat begun is cancelled when its activity ends, whether it beat or not. (That a fast set-up sends
   * no beat at all depends on how fast it is: StepHeartbeatBench measures it.)
   */
  @Test
  void noHeartbeatIsLeftScheduledAfterTheActivity() {
    HostInstanceActivities acts = stub(Duration.ofMinutes(1));
    InstanceSpec s = HostInstanceActivitiesImplTest.spec("i-5-1-VM", false,
        HostInstanceActivitiesImplTest.pci("0000:00:01.0", 0));
    assertThat(acts.setUpDomain(s)).hasSize(4).startsWith("prepared 1 device(s)")
        .endsWith("defined domain i-5-1-VM", "started domain i-5-1-VM");
    assertThat(StepHeartbeat.open()).isZero();
    acts.tearDownDomain(s);
    assertThat(StepHeartbeat.open()).isZero();
    assertThat(beats).allSatisfy(b -> assertThat(b).endsWith("i-5-1-VM"));
  }

  /**
   * The transformer hook blocks until a heartbeat naming its step has arrived (it gives up after 25 s, which fails
   * the set-up): the beats come from the timer while the activity's own thread waits on the hook.
   */
  @Test
  void aSlowStepBeatsWithItsNameWhileItBlocks() throws Exception {
    Path hook = hooks.resolve(HostInstanceActivitiesImpl.TRANSFORMER_HOOK);
    Files.writeString(hook, "#!/bin/sh\n"
        + "i=0; while [ ! -e '" + beatSeen + "' ] && [ $i -lt 250 ]; do sleep 0.1; i=$((i+1)); done\n"
        + "[ -e '" + beatSeen + "' ] || { echo 'no heartbeat named the step' >&2; exit 1; }\n"
        + "cat\n");
    Files.setPosixFilePermissions(hook, PosixFilePermissions.fromString("rwxr-xr-x"));
    InstanceSpec s = HostInstanceActivitiesImplTest.spec("i-5-2-VM", false,
        HostInstanceActivitiesImplTest.pci("0000:00:02.0", 0));
    stub(Duration.ofMillis(1500)).setUpDomain(s);
    assertThat(beats).isNotEmpty().contains("transform i-5-2-VM");
    assertThat(StepHeartbeat.open()).as("no beat scheduled once the activity is done").isZero();
  }

  @Test
  void beatPeriodFollowsTheHeartbeatTimeout() {
    assertThat(StepHeartbeat.period(Duration.ZERO)).isEqualTo(StepHeartbeat.AFTER);
    assertThat(StepHeartbeat.period(Duration.ofSeconds(3))).isEqualTo(Duration.ofSeconds(1));
    assertThat(StepHeartbeat.period(Duration.ofMinutes(5))).isEqualTo(StepHeartbeat.AFTER);
  }
}
