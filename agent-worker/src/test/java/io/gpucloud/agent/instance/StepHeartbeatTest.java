package io.gpucloud.agent.instance;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpucloud.activities.instance.HostInstanceActivities;
import io.gpucloud.activities.instance.InstanceSpec;
import io.gpucloud.agent.hooks.HookRunner;
import io.gpucloud.agent.sim.HostSpecLoader;
import io.gpucloud.agent.sim.TestDriverXml;
import io.temporal.activity.ActivityOptions;
import io.temporal.testing.TestActivityEnvironment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.libvirt.Connect;

/** Heartbeats of the host activities in the Temporal activity test environment, on the test driver. */
class StepHeartbeatTest {
  @TempDir Path tmp;
  Path hooks;
  Connect h1;
  TestActivityEnvironment env;
  final List<String> beats = new CopyOnWriteArrayList<>();
  HostInstanceActivities acts;

  @BeforeEach
  void setUp() throws Exception {
    hooks = Files.createDirectories(tmp.resolve("hooks"));
    h1 = new Connect(TestDriverXml.write(HostSpecLoader.load(Path.of("..", "hosts", "H1.yml")), tmp.resolve("H1.xml")),
        false);
    env = TestActivityEnvironment.newInstance();
    env.registerActivitiesImplementations(new HostInstanceActivitiesImpl(h1, hooks,
        new HookRunner(Duration.ofSeconds(10), 1 << 20), tmp.resolve("state")));
    env.setActivityHeartbeatListener(String.class, beats::add);
    acts = env.newActivityStub(HostInstanceActivities.class, ActivityOptions.newBuilder()
        .setStartToCloseTimeout(Duration.ofSeconds(30))
        .setHeartbeatTimeout(Duration.ofMillis(1500)) // beats every 500 ms
        .build());
  }

  @AfterEach
  void tearDown() throws Exception {
    env.close();
    h1.close();
  }

  @Test
  void aFastSetUpSendsNoHeartbeat() {
    acts.setUpDomain(HostInstanceActivitiesImplTest.spec("i-5-1-VM", false,
        HostInstanceActivitiesImplTest.pci("0000:00:01.0", 0)));
    assertThat(beats).isEmpty();
  }

  @Test
  void aSlowStepBeatsWithItsNameWhileItBlocks() throws Exception {
    Path hook = hooks.resolve(HostInstanceActivitiesImpl.TRANSFORMER_HOOK);
    Files.writeString(hook, "#!/bin/sh\nsleep 2\ncat\n");
    Files.setPosixFilePermissions(hook, PosixFilePermissions.fromString("rwxr-xr-x"));
    InstanceSpec s = HostInstanceActivitiesImplTest.spec("i-5-2-VM", false,
        HostInstanceActivitiesImplTest.pci("0000:00:02.0", 0));
    acts.setUpDomain(s);
    assertThat(beats).isNotEmpty().contains("transform i-5-2-VM");
    int after = beats.size();
    Thread.sleep(1200);
    assertThat(beats).as("no beat once the activity is done").hasSize(after);
  }

  @Test
  void beatPeriodFollowsTheHeartbeatTimeout() {
    assertThat(StepHeartbeat.period(Duration.ZERO)).isEqualTo(StepHeartbeat.AFTER);
    assertThat(StepHeartbeat.period(Duration.ofSeconds(3))).isEqualTo(Duration.ofSeconds(1));
    assertThat(StepHeartbeat.period(Duration.ofMinutes(5))).isEqualTo(StepHeartbeat.AFTER);
  }
}
