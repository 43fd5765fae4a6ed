package io.gpucloud.agent.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class HostTopologyTest {

  @Test
  void parsesCellsOfLibvirtCapabilities() {
    String caps = """
        <capabilities>
          <host>
            <uuid>x</uuid>
            <cpu><arch>x86_64</arch><topology sockets='2' dies='1' cores='4' threads='2'/></cpu>
            <topology>
              <cells num='2'>
                <cell id='0'>
                  <memory unit='KiB'>1000</memory>
                  <cpus num='4'>
                    <cpu id='0' socket_id='0' core_id='0' siblings='0,8'/>
                    <cpu id='1' socket_id='0' core_id='1' siblings='1,9'/>
                    <cpu id='2' socket_id='0' core_id='2' siblings='2,10'/>
                    <cpu id='8' socket_id='0' core_id='0' siblings='0,8'/>
                  </cpus>
                </cell>
                <cell id='1'>
                  <cpus num='3'>
                    <cpu id='5'/><cpu id='4'/><cpu id='12'/>
                  </cpus>
                </cell>
              </cells>
            </topology>
          </host>
        </capabilities>
        """;
    assertThat(HostTopology.parseCapabilities(caps).cpusetByNode())
        .isEqualTo(Map.of(0, "0-2,8", 1, "4-5,12"));
  }

  @Test
  void testDriverHasNoCells() {
    String caps = "<capabilities><host><topology><cells num='0'>\n</cells></topology></host></capabilities>";
    assertThat(HostTopology.parseCapabilities(caps).cpusetByNode()).isEmpty();
  }

  @Test
  void notXml() {
    assertThatThrownBy(() -> HostTopology.parseCapabilities("nope")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aSimulatedHostsTopologyNumbersItsCpusNodeByNode() {
    assertThat(HostTopology.contiguous(2, 8).cpusetByNode()).isEqualTo(Map.of(0, "0-7", 1, "8-15"));
    assertThat(HostTopology.contiguous(1, 1).cpusetByNode()).isEqualTo(Map.of(0, "0"));
  }
}
