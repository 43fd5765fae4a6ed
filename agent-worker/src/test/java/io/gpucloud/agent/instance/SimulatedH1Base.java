package io.gpucloud.agent.instance;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpucloud.activities.instance.TemplateImage;
import io.gpucloud.agent.sim.HostSpec;
import io.gpucloud.agent.sim.HostSpecLoader;
import io.gpucloud.agent.sim.TestDriverXml;
import io.temporal.failure.ApplicationFailure;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.libvirt.Connect;

/**
 * What the host-step tests on libvirt's test driver share: the simulated host H1 ({@code hosts/H1.yml}) as a
 * test-driver document in a temp dir, connected as {@link #h1}, beside it a hooks directory and the agent's state
 * directory. A subclass makes its activities in its own {@code @BeforeEach}, which runs after this one's.
 */
abstract class SimulatedH1Base {
  static final TemplateImage TEMPLATE = new TemplateImage("ubuntu", "Ubuntu", "/var/lib/images/ubuntu.qcow2", 20);

  @TempDir Path tmp;
  Path hooks;
  Path state;
  Connect h1;
  HostSpec h1Spec;

  @BeforeEach
  void connectH1() throws Exception {
    hooks = Files.createDirectories(tmp.resolve("hooks"));
    state = tmp.resolve("state");
    h1Spec = HostSpecLoader.load(Path.of("..", "hosts", "H1.yml"));
    h1 = new Connect(TestDriverXml.write(h1Spec, tmp.resolve("H1.xml")), false);
  }

  @AfterEach
  void closeH1() throws Exception {
    h1.close();
  }

  /** Writes the executable bash hook {@code name} into {@link #hooks}. */
  Path hook(String name, String body) throws IOException {
    Path p = hooks.resolve(name);
    Files.writeString(p, "#!/bin/bash\n" + body + "\n", StandardCharsets.UTF_8);
    Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
    return p;
  }

  /** A state hook that logs its arguments, one call a line, to the file returned. */
  Path stateHookLog() throws IOException {
    Path log = tmp.resolve("state-hook.log");
    hook(HostInstanceActivitiesImpl.STATE_HOOK, "echo \"$@\" >> '" + log + "'");
    return log;
  }

  static ApplicationFailure failure(ThrowingCallable call) {
    Throwable t = org.assertj.core.api.Assertions.catchThrowable(call);
    assertThat(t).isInstanceOf(ApplicationFailure.class);
    return (ApplicationFailure) t;
  }
}
