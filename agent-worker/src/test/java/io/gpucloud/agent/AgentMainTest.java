package io.gpucloud.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpucloud.agent.instance.LibvirtMdevBackend;
import io.gpucloud.agent.instance.MdevBackend;
import io.gpucloud.agent.instance.SysfsMdevBackend;
import io.gpucloud.agent.sim.HostSpecLoader;
import io.gpucloud.agent.sim.TestDriverXml;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.libvirt.Connect;

/** How the agent process assembles its instance activities from the options. */
class AgentMainTest {
  @TempDir Path tmp;
  Connect connect;

  @BeforeEach
  void setUp() throws Exception {
    connect = new Connect(TestDriverXml.write(HostSpecLoader.load(Path.of("..", "hosts", "H1.yml")),
        tmp.resolve("H1.xml")), false);
  }

  @AfterEach
  void tearDown() throws Exception {
    connect.close();
  }

  @Test
  void theDefaultMdevBackendIsLibvirt() {
    AgentOptions o = AgentOptions.parse(new String[] {"--host", "gpu-01", "--state-dir", tmp.toString()});
    assertThat(AgentMain.mdevBackend(o, connect)).isInstanceOf(LibvirtMdevBackend.class);
    assertThat(AgentMain.instanceActivities(o, connect)).isNotNull();
  }

  @Test
  void theSysfsBackendWorksUnderTheGivenRoot() {
    AgentOptions o = AgentOptions.parse(new String[] {"--host", "gpu-01", "--state-dir", tmp.toString(),
        "--mdev-backend", "sysfs", "--sysfs-root", tmp.resolve("root").toString()});
    MdevBackend b = AgentMain.mdevBackend(o, connect);
    assertThat(b).isInstanceOf(SysfsMdevBackend.class);
    assertThat(((SysfsMdevBackend) b).root()).isEqualTo(tmp.resolve("root"));
    assertThat(AgentMain.instanceActivities(o, connect)).isNotNull();
  }
}
