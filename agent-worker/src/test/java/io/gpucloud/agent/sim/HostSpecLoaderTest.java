package io.gpucloud.agent.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class HostSpecLoaderTest {

  static final Path H1 = Path.of("..", "hosts", "H1.yml");
  static final Path H2 = Path.of("..", "hosts", "H2.yml");

  static final String CARDS = """
      cards:
        - key: basic
          vendorId: "1ae0"
          deviceId: "0001"
          vendor: "ACS Simulated"
          device: "ACS Simulated Graphics Card Basic"
        - key: pro
          vendorId: "1ae0"
          deviceId: "0002"
          vendor: "ACS Simulated"
          device: "ACS Simulated Graphics Card Pro"
          profiles:
            - {name: sim-8q, videoRamMb: 8192, maxHeads: 4, maxResolutionX: 4096, maxResolutionY: 2160, maxPerGpu: 2}
      """;

  static String spec(String head, String gpus) {
    return head + CARDS + "gpus:\n" + gpus;
  }

  static final String HEAD = "name: T1\ncpuCores: 4\ncpuMhz: 2000\nmemoryMb: 4096\n";

  @Test
  void loadsH1() {
    HostSpec h1 = HostSpecLoader.load(H1);
    assertThat(h1.name()).isEqualTo("H1");
    assertThat(h1.cpuCores()).isEqualTo(32);
    assertThat(h1.cpuMhz()).isEqualTo(2000);
    assertThat(h1.memoryMb()).isEqualTo(131072);
    assertThat(h1.numaNodes()).isEqualTo(1);
    assertThat(h1.cpuModel()).isEqualTo("x86_64");
    assertThat(h1.cards()).extracting(HostSpec.Card::key).containsExactly("basic", "pro");
    HostSpec.Card pro = h1.card("pro").orElseThrow();
    assertThat(pro.device()).isEqualTo("ACS Simulated Graphics Card Pro");
    assertThat(pro.vendorId()).isEqualTo("1ae0");
    assertThat(pro.deviceId()).isEqualTo("0002");
    assertThat(pro.profile("sim-8q").orElseThrow())
        .isEqualTo(new HostSpec.Profile("sim-8q", 8192, 4, 4096, 2160, 2));
    assertThat(pro.profile("sim-4q").orElseThrow())
        .isEqualTo(new HostSpec.Profile("sim-4q", 4096, 2, 1920, 1080, 4));
    assertThat(pro.profile("sim-2q").orElseThrow())
        .isEqualTo(new HostSpec.Profile("sim-2q", 2048, 1, 1920, 1080, 8));
    assertThat(h1.gpus()).hasSize(8);
    assertThat(h1.gpus()).extracting(HostSpec.Gpu::address).containsExactly("0000:00:01.0", "0000:00:02.0",
        "0000:00:03.0", "0000:00:04.0", "0000:00:05.0", "0000:00:06.0", "0000:00:07.0", "0000:00:08.0");
    assertThat(h1.gpus()).extracting(HostSpec.Gpu::mode).containsExactly(HostSpec.Mode.PASSTHROUGH,
        HostSpec.Mode.PASSTHROUGH, HostSpec.Mode.PASSTHROUGH, HostSpec.Mode.PASSTHROUGH, HostSpec.Mode.VGPU,
        HostSpec.Mode.VGPU, HostSpec.Mode.VGPU, HostSpec.Mode.VGPU);
  }

  @Test
  void loadsH2WithTwoNumaNodesAndANonZeroDomain() {
    HostSpec h2 = HostSpecLoader.load(H2);
    HostSpec h1 = HostSpecLoader.load(H1);
    assertThat(h2.name()).isEqualTo("H2");
    assertThat(h2.numaNodes()).isEqualTo(2);
    assertThat(h2.cpuCores()).isEqualTo(16);
    assertThat(h2.memoryMb()).isEqualTo(65536);
    assertThat(h2.gpus()).extracting(HostSpec.Gpu::numaNode).contains(0, 1);
    assertThat(h2.gpus()).anyMatch(g -> g.pciAddress().domain() != 0);
    assertThat(h2.gpus()).extracting(HostSpec.Gpu::pciRoot).doesNotContainNull().hasSizeGreaterThan(1);
    assertThat(h2.gpus().stream().filter(g -> g.mode() == HostSpec.Mode.PASSTHROUGH)).hasSize(8);
    assertThat(h2.gpus().stream().filter(g -> g.mode() == HostSpec.Mode.SRIOV)).hasSize(1);
    assertThat(h2.gpus().stream().filter(g -> g.mode() == HostSpec.Mode.VGPU)).hasSize(2);
    // the same card model has the same ids on both hosts
    for (HostSpec.Card c : h2.cards()) {
      HostSpec.Card same = h1.card(c.key()).orElseThrow();
      assertThat(c.vendorId()).isEqualTo(same.vendorId());
      assertThat(c.deviceId()).isEqualTo(same.deviceId());
      assertThat(c.device()).isEqualTo(same.device());
    }
  }

  @Test
  void h1AndH2ShareOneStoragePoolAndASpecWithoutOneHasAHostLocalDefault() {
    HostSpec h1 = HostSpecLoader.load(H1);
    HostSpec h2 = HostSpecLoader.load(H2);
    assertThat(h1.storagePool()).isEqualTo(new HostSpec.StoragePool("shared-nfs", null, true))
        .isEqualTo(h2.storagePool());
    Path hosts = Path.of("/data/hosts");
    assertThat(h1.storagePool().directory(hosts.resolve("H1")))
        .isEqualTo(h2.storagePool().directory(hosts.resolve("H2")))
        .isEqualTo(Path.of("/data/hosts/shared-pools/shared-nfs"));
    HostSpec t = HostSpecLoader.parse(spec(HEAD, "  - {address: \"0000:00:01.0\", card: basic}\n"), "t.yml");
    assertThat(t.storagePool()).isEqualTo(HostSpec.StoragePool.DEFAULT);
    assertThat(t.storagePool().directory(hosts.resolve("T1"))).isEqualTo(Path.of("/data/hosts/T1/pool"));
    HostSpec p = HostSpecLoader.parse(spec(HEAD + "storagePool: {name: nfs1, path: ../../nfs}\n",
        "  - {address: \"0000:00:01.0\", card: basic}\n"), "t.yml");
    assertThat(p.storagePool().directory(hosts.resolve("T1"))).isEqualTo(Path.of("/data/nfs"));
    assertThat(p.storagePool().shared()).isFalse();
  }

  @Test
  void aBadStoragePoolNamesTheField() {
    String gpu = "  - {address: \"0000:00:01.0\", card: basic}\n";
    assertThatThrownBy(() -> HostSpecLoader.parse(spec(HEAD + "storagePool: {path: /x}\n", gpu), "t.yml"))
        .isInstanceOf(InvalidHostSpecException.class).hasMessageContaining("storagePool.name");
    assertThatThrownBy(() -> HostSpecLoader.parse(spec(HEAD + "storagePool: {name: \"a/b\"}\n", gpu), "t.yml"))
        .isInstanceOf(InvalidHostSpecException.class).hasMessageContaining("storagePool.name");
    assertThatThrownBy(() -> HostSpecLoader.parse(spec(HEAD + "storagePool: {name: p, shared: maybe}\n", gpu),
        "t.yml")).isInstanceOf(InvalidHostSpecException.class).hasMessageContaining("storagePool.shared");
    assertThatThrownBy(() -> HostSpecLoader.parse(spec(HEAD + "storagePool: {name: p, size: 3}\n", gpu), "t.yml"))
        .isInstanceOf(InvalidHostSpecException.class).hasMessageContaining("size");
  }

  @Test
  void normalisesShortAddressesAndIds() {
    HostSpec s = HostSpecLoader.parse(spec(HEAD, "  - {address: \"00:0A.0\", card: basic}\n"), "t.yml");
    assertThat(s.gpus().get(0).address()).isEqualTo("0000:00:0a.0");
    assertThat(s.gpus().get(0).numaNode()).isZero();
    assertThat(s.numaNodes()).isEqualTo(1);
  }

  @Test
  void unknownCardKeyNamesTheField() {
    assertThatThrownBy(() -> HostSpecLoader.parse(
            spec(HEAD, "  - {address: \"0000:00:01.0\", card: basic}\n  - {address: \"0000:00:02.0\", card: prox}\n"),
            "t.yml"))
        .isInstanceOf(InvalidHostSpecException.class)
        .hasMessageContaining("t.yml")
        .hasMessageContaining("gpus[1].card")
        .hasMessageContaining("prox")
        .satisfies(e -> assertThat(((InvalidHostSpecException) e).field()).isEqualTo("gpus[1].card"));
  }

  @Test
  void vgpuProfileNotInTheCardNamesTheField() {
    assertThatThrownBy(() -> HostSpecLoader.parse(
            spec(HEAD, "  - {address: \"0000:00:05.0\", card: pro, vgpuProfile: sim-16q}\n"), "t.yml"))
        .isInstanceOf(InvalidHostSpecException.class)
        .hasMessageContaining("gpus[0].vgpuProfile")
        .hasMessageContaining("sim-16q")
        .hasMessageContaining("sim-8q");
    // a passthrough-only card has no vGPU profile at all
    assertThatThrownBy(() -> HostSpecLoader.parse(
            spec(HEAD, "  - {address: \"0000:00:05.0\", card: basic, vgpuProfile: sim-8q}\n"), "t.yml"))
        .hasMessageContaining("gpus[0].vgpuProfile");
  }

  @Test
  void duplicateAddressNamesTheField() {
    assertThatThrownBy(() -> HostSpecLoader.parse(spec(HEAD,
            "  - {address: \"0000:00:01.0\", card: basic}\n  - {address: \"00:01.0\", card: basic}\n"), "t.yml"))
        .isInstanceOf(InvalidHostSpecException.class)
        .hasMessageContaining("gpus[1].address")
        .hasMessageContaining("0000:00:01.0")
        .hasMessageContaining("gpus[0]");
  }

  @Test
  void vfAddressCollidingWithAGpuIsADuplicate() {
    assertThatThrownBy(() -> HostSpecLoader.parse(spec(HEAD,
            "  - {address: \"0000:00:01.0\", card: pro, vfProfile: sim-8q}\n"
                + "  - {address: \"0000:01:01.1\", card: basic}\n"), "t.yml"))
        .hasMessageContaining("gpus[1].address")
        .hasMessageContaining("duplicate address 0000:01:01.1");
  }

  @Test
  void missingNameNamesTheField() {
    assertThatThrownBy(() -> HostSpecLoader.parse(
            spec("cpuCores: 4\ncpuMhz: 2000\nmemoryMb: 4096\n", "  - {address: \"0000:00:01.0\", card: basic}\n"),
            "t.yml"))
        .isInstanceOf(InvalidHostSpecException.class)
        .hasMessage("t.yml: name: is required");
  }

  @Test
  void otherMistakesNameTheirField() {
    String gpu = "  - {address: \"0000:00:01.0\", card: basic}\n";
    assertThatThrownBy(() -> HostSpecLoader.parse(spec(HEAD + "memroyMb: 1\n", gpu), "t.yml"))
        .hasMessageContaining("memroyMb: unknown field");
    assertThatThrownBy(() -> HostSpecLoader.parse(spec("name: T1\ncpuCores: four\ncpuMhz: 1\nmemoryMb: 1\n", gpu),
            "t.yml"))
        .hasMessageContaining("cpuCores: must be an integer");
    assertThatThrownBy(() -> HostSpecLoader.parse(spec(HEAD, "  - {address: \"0000:00:01.0\", card: basic, numaNode: 1}\n"),
            "t.yml"))
        .hasMessageContaining("gpus[0].numaNode");
    assertThatThrownBy(() -> HostSpecLoader.parse(spec(HEAD, "  - {address: \"0000:00:zz.0\", card: basic}\n"), "t.yml"))
        .hasMessageContaining("gpus[0].address");
    assertThatThrownBy(() -> HostSpecLoader.parse(spec(HEAD, "  - {address: 1, card: basic}\n"), "t.yml"))
        .hasMessageContaining("gpus[0].address: must be a quoted PCI address");
    // unquoted, YAML takes the address for a number: the parse error says where and what
    assertThatThrownBy(() -> HostSpecLoader.parse(spec(HEAD, "  - {address: 0000:00:01.0, card: basic}\n"), "t.yml"))
        .hasMessageContaining("line 19")
        .hasMessageContaining("'0000:00:01.0'")
        .hasMessageContaining("quote");
    assertThatThrownBy(() -> HostSpecLoader.parse(
            spec(HEAD, "  - {address: \"0000:00:05.0\", card: pro, vgpuProfile: sim-8q, vgpuCount: 3}\n"), "t.yml"))
        .hasMessageContaining("gpus[0].vgpuCount");
    assertThatThrownBy(() -> HostSpecLoader.parse(
            spec(HEAD, "  - {address: \"0000:00:05.0\", card: pro, vgpuProfile: sim-8q, usedByVm: i-1}\n"), "t.yml"))
        .hasMessageContaining("gpus[0].usedByVm");
    assertThatThrownBy(() -> HostSpecLoader.parse(HEAD + CARDS.replace("\"0002\"", "0002") + "gpus: []\n", "t.yml"))
        .hasMessageContaining("cards[1].deviceId");
    assertThatThrownBy(() -> HostSpecLoader.parse("name: [", "t.yml")).hasMessageContaining("not valid YAML");
  }
}
