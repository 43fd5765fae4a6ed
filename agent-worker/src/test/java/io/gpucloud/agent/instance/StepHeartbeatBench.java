package io.gpucloud.agent.instance;

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
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.libvirt.Connect;

/**
 * How soon and how often the host activities beat (make bench; excluded from the unit tests): with a 1500 ms
 * heartbeat timeout the timer beats every 500 ms. A fast set-up should send none; a set-up whose transformer hook
 * sleeps 2 s is timed, the lines say when each beat reached the test environment's listener (which may hold beats
 * back: Temporal throttles them) and how many came after the activity returned. Prints lines starting with BENCH;
 * asserts nothing about time (StepHeartbeatTest checks that beats come and name the step).
 */
@Tag("bench")
class StepHeartbeatBench {
  @TempDir Path tmp;

  record Beat(long atNanos, String detail) {}

  @Test
  void heartbeatTimingOfASlowStep() throws Exception {
    Path hooks = Files.createDirectories(tmp.resolve("hooks"));
    Connect h1 = new Connect(TestDriverXml.write(HostSpecLoader.load(Path.of("..", "hosts", "H1.yml")),
        tmp.resolve("H1.xml")), false);
    TestActivityEnvironment env = TestActivityEnvironment.newInstance();
    try {
      env.registerActivitiesImplementations(HostInstanceActivitiesImplTest.onSimulated(h1, hooks,
          new HookRunner(Duration.ofSeconds(10), 1 << 20), tmp.resolve("state")));
      List<Beat> beats = new CopyOnWriteArrayList<>();
      env.setActivityHeartbeatListener(String.class, d -> beats.add(new Beat(System.nanoTime(), d)));
      HostInstanceActivities acts = env.newActivityStub(HostInstanceActivities.class, ActivityOptions.newBuilder()
          .setStartToCloseTimeout(Duration.ofSeconds(30))
          .setHeartbeatTimeout(Duration.ofMillis(1500)) // beats every 500 ms
          .build());

      // a fast activity sends no heartbeat at all (the first would be a synchronous call to the server): how
      // fast a set-up is, cold (first in the JVM) and warm, against the 500 ms beat period
      for (String run : List.of("cold", "warm")) {
        InstanceSpec fast = HostInstanceActivitiesImplTest.spec("i-6-" + run + "-VM", false,
            HostInstanceActivitiesImplTest.pci("0000:00:01.0", 0));
        long f0 = System.nanoTime();
        acts.setUpDomain(fast);
        long fastMs = (System.nanoTime() - f0) / 1_000_000;
        acts.tearDownDomain(fast);
        System.out.printf(Locale.ROOT, "BENCH step-heartbeat fast setUp (%s): %d ms, %d beat(s) (beat period 500 ms)%n",
            run, fastMs, beats.size());
        beats.clear();
      }

      Path hook = hooks.resolve(HostInstanceActivitiesImpl.TRANSFORMER_HOOK);
      Files.writeString(hook, "#!/bin/sh\nsleep 2\ncat\n");
      Files.setPosixFilePermissions(hook, PosixFilePermissions.fromString("rwxr-xr-x"));
      InstanceSpec slow = HostInstanceActivitiesImplTest.spec("i-6-2-VM", false,
          HostInstanceActivitiesImplTest.pci("0000:00:02.0", 0));
      long t0 = System.nanoTime();
      acts.setUpDomain(slow);
      long done = System.nanoTime();
      int atDone = beats.size();
      Thread.sleep(1200);
      StringBuilder at = new StringBuilder();
      long prev = t0;
      long maxGap = 0;
      for (int i = 0; i < atDone; i++) {
        Beat b = beats.get(i);
        at.append(i == 0 ? "" : ", ").append((b.atNanos() - t0) / 1_000_000);
        if (i > 0) {
          maxGap = Math.max(maxGap, b.atNanos() - prev);
        }
        prev = b.atNanos();
      }
      System.out.printf(Locale.ROOT, "BENCH step-heartbeat slow setUp (hook sleeps 2 s): %d ms, %d beat(s) at [%s] ms"
              + " after start, first after %d ms, longest gap %d ms, steps %s%n",
          (done - t0) / 1_000_000, atDone, at,
          atDone == 0 ? -1 : (beats.get(0).atNanos() - t0) / 1_000_000, maxGap / 1_000_000,
          beats.stream().map(Beat::detail).distinct().toList());
      System.out.printf(Locale.ROOT, "BENCH step-heartbeat beats in the 1200 ms after the activity returned: %d%n",
          beats.size() - atDone);
    } finally {
      env.close();
      h1.close();
    }
  }
}
