package io.gpucloud.service.tenancy;

import static io.gpucloud.service.ApiAssertions.fails;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gpucloud.controlplane.limits.Resource;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RequestsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String PROFILE = "b2c3d4e5-0000-4000-8000-000000000001";

  private static JsonNode json(String s) throws Exception {
    return JSON.readTree(s);
  }

  @Test
  void namesOfTenancyObjects() {
    assertThat(new DomainRequest(" acme ", null).validateCreate()).isEqualTo(new DomainRequest.Valid("acme", null));
    fails(400, "name is required", () -> new DomainRequest(" ", null).validateCreate());
    fails(400, "name must start with a letter or digit", () -> new DomainRequest("a/b", null).validateCreate());
    fails(400, "name must start with a letter or digit", () -> new AccountRequest("-x", null).validateCreate());
    fails(400, "name must be at most 255", () -> new ProjectRequest("x".repeat(256), null).validateCreate());
    assertThat(new AccountRequest("Team A.1", "d").validateCreate()).isEqualTo(new AccountRequest.Valid("Team A.1", "d"));
    assertThat(new ProjectRequest("ml", null).validateCreate()).isEqualTo(new ProjectRequest.Valid("ml", null));
  }

  @Test
  void updatesRefuseMoving() {
    assertThat(new DomainRequest("b", null).validateUpdate("p")).isEqualTo("b");
    assertThat(new DomainRequest(null, "p").validateUpdate("p")).isNull();
    fails(400, "parentId is immutable", () -> new DomainRequest("b", "q").validateUpdate("p"));
    fails(400, "parentId is immutable", () -> new DomainRequest("b", "q").validateUpdate(null));
    fails(400, "domainId is immutable", () -> new AccountRequest("b", "q").validateUpdate("p"));
    fails(400, "accountId is immutable", () -> new ProjectRequest(null, "q").validateUpdate("p"));
  }

  @Test
  void gpuOfferingDefaults() {
    OfferingRequest.Valid v =
        new OfferingRequest("Sim 2xMedium", null, 2, 1000, 2048L, PROFILE, null, null, null).validateCreate();
    assertThat(v).isEqualTo(new OfferingRequest.Valid("Sim 2xMedium", null, 2, 1000, 2048, PROFILE, 1, false, "preferred"));
    OfferingRequest.Valid all =
        new OfferingRequest("o", "d", 4, 2000, 4096L, PROFILE, 2, true, "Required").validateCreate();
    assertThat(all).isEqualTo(new OfferingRequest.Valid("o", "d", 4, 2000, 4096, PROFILE, 2, true, "required"));
  }

  @Test
  void offeringsHaveSaneUpperBounds() {
    assertThat(new OfferingRequest("big", null, 1024, 100_000, 16L * 1024 * 1024, PROFILE, 64, null, null)
        .validateCreate().gpuCount()).isEqualTo(64);
    fails(400, "cpuCores must be <= 1024",
        () -> new OfferingRequest("o", null, Integer.MAX_VALUE, 1000, 1024L, null, null, null, null).validateCreate());
    fails(400, "cpuSpeedMhz must be <= 100000",
        () -> new OfferingRequest("o", null, 1, 100_001, 1024L, null, null, null, null).validateCreate());
    fails(400, "memoryMb must be <= 16777216",
        () -> new OfferingRequest("o", null, 1, 1000, Long.MAX_VALUE, null, null, null, null).validateCreate());
    fails(400, "gpuCount must be <= 64",
        () -> new OfferingRequest("o", null, 1, 1000, 1024L, PROFILE, 65, null, null).validateCreate());
  }

  @Test
  void plainOfferingHasNoGpus() {
    assertThat(new OfferingRequest("small", null, 1, 500, 512L, null, null, null, "none").validateCreate())
        .isEqualTo(new OfferingRequest.Valid("small", null, 1, 500, 512, null, 0, false, "none"));
    assertThat(new OfferingRequest("small", null, 1, 500, 512L, null, 0, false, null).validateCreate().gpuCount()).isZero();
    fails(400, "gpuCount needs a vgpuProfileId", () -> new OfferingRequest("s", null, 1, 500, 512L, null, 2, null, null).validateCreate());
    fails(400, "gpuDisplay needs a vgpuProfileId", () -> new OfferingRequest("s", null, 1, 500, 512L, null, null, true, null).validateCreate());
  }

  @Test
  void offeringBoundsNameTheField() {
    fails(400, "name is required", () -> new OfferingRequest(null, null, 1, 1, 1L, null, null, null, null).validateCreate());
    fails(400, "cpuCores is required", () -> new OfferingRequest("o", null, null, 1, 1L, null, null, null, null).validateCreate());
    fails(400, "cpuCores must be >= 1", () -> new OfferingRequest("o", null, 0, 1, 1L, null, null, null, null).validateCreate());
    fails(400, "cpuSpeedMhz must be >= 1", () -> new OfferingRequest("o", null, 1, 0, 1L, null, null, null, null).validateCreate());
    fails(400, "memoryMb must be >= 1", () -> new OfferingRequest("o", null, 1, 1, 0L, null, null, null, null).validateCreate());
    fails(400, "gpuCount must be >= 1", () -> new OfferingRequest("o", null, 1, 1, 1L, PROFILE, 0, null, null).validateCreate());
    fails(400, "gpuCount must be >= 1", () -> new OfferingRequest("o", null, 1, 1, 1L, PROFILE, -2, null, null).validateCreate());
    fails(400, "numaPolicy must be one of required, preferred, none",
        () -> new OfferingRequest("o", null, 1, 1, 1L, PROFILE, 1, null, "strict").validateCreate());
  }

  @Test
  void offeringViewShowsCards() {
    assertThat(OfferingView.gpuCards(2, "ACS Simulated Graphics Card Pro", "sim-8q"))
        .isEqualTo("2 x ACS Simulated Graphics Card Pro (sim-8q)");
    assertThat(OfferingView.gpuCards(0, null, null)).isNull();
  }

  @Test
  void templates() {
    assertThat(new TemplateRequest("GPU Ubuntu 24.04", "Other Ubuntu (64-bit)", 1L, "/var/lib/images/u.qcow2").validateCreate())
        .isEqualTo(new TemplateRequest.Valid("GPU Ubuntu 24.04", "Other Ubuntu (64-bit)", 1, "/var/lib/images/u.qcow2"));
    fails(400, "osType is required", () -> new TemplateRequest("t", null, 1L, "/a").validateCreate());
    fails(400, "rootDiskGb is required", () -> new TemplateRequest("t", "l", null, "/a").validateCreate());
    fails(400, "rootDiskGb must be >= 1", () -> new TemplateRequest("t", "l", 0L, "/a").validateCreate());
    fails(400, "imagePath is required", () -> new TemplateRequest("t", "l", 1L, "").validateCreate());
    fails(400, "imagePath must be an absolute path", () -> new TemplateRequest("t", "l", 1L, "img.qcow2").validateCreate());
    fails(400, "imagePath must not contain . or ..", () -> new TemplateRequest("t", "l", 1L, "/a/../etc/shadow").validateCreate());
    fails(400, "imagePath must name a file", () -> new TemplateRequest("t", "l", 1L, "/a/").validateCreate());
  }

  @Test
  void limitsBody() throws Exception {
    Map<Resource, Long> m = LimitsRequest.parse(json("{\"gpuLimit\": 5, \"memoryLimit\": -1, \"cpuLimit\": null}"));
    assertThat(m).containsEntry(Resource.GPU, 5L).containsEntry(Resource.MEMORY, -1L).containsEntry(Resource.CPU, null)
        .doesNotContainKey(Resource.INSTANCE);
    assertThat(LimitsRequest.parse(json("{}"))).isEmpty();
    fails(400, "gpuLimit must be an integer >= -1", () -> LimitsRequest.parse(json("{\"gpuLimit\": -2}")));
    fails(400, "gpuLimit must be an integer >= -1", () -> LimitsRequest.parse(json("{\"gpuLimit\": \"5\"}")));
    fails(400, "instanceLimit must be an integer >= -1", () -> LimitsRequest.parse(json("{\"instanceLimit\": 1.5}")));
    fails(400, "field 'gpus': unknown field", () -> LimitsRequest.parse(json("{\"gpus\": 1}")));
    assertThat(LimitsRequest.parse(json("{\"gpuLimit\": 1000000}"))).containsEntry(Resource.GPU, 1_000_000L);
    fails(400, "gpuLimit must be an integer >= -1 (-1 = unlimited) and <= 1000000",
        () -> LimitsRequest.parse(json("{\"gpuLimit\": 2147483647}")));
    fails(400, "memoryLimit must be an integer >= -1 (-1 = unlimited) and <= 1073741824",
        () -> LimitsRequest.parse(json("{\"memoryLimit\": 9223372036854775807}")));
    fails(400, "request body is required", () -> LimitsRequest.parse(null));
    fails(400, "request body must be a JSON object", () -> LimitsRequest.parse(json("[1]")));
  }

  @Test
  void settingsBody() throws Exception {
    SettingsRequest.Changes c = SettingsRequest.parse(
        json("{\"max.account.gpus\": 8, \"max.domain.memory\": -1, \"gpu.detach.on.stop\": true}"));
    assertThat(c.limits()).containsExactly(Map.entry("max.account.gpus", 8L), Map.entry("max.domain.memory", -1L));
    assertThat(c.scoped()).containsExactly(Map.entry("gpu.detach.on.stop", "true"));
    fails(400, "unknown setting 'max.account.disks'", () -> SettingsRequest.parse(json("{\"max.account.disks\": 1}")));
    fails(400, "gpu.detach.on.stop: must be true or false",
        () -> SettingsRequest.parse(json("{\"gpu.detach.on.stop\": \"yes\"}")));
    fails(400, "gpu.detach.on.stop: must be true or false",
        () -> SettingsRequest.parse(json("{\"gpu.detach.on.stop\": 1}")));
    fails(400, "max.project.cpus must be an integer >= -1", () -> SettingsRequest.parse(json("{\"max.project.cpus\": null}")));
    fails(400, "max.project.cpus must be an integer >= -1", () -> SettingsRequest.parse(json("{\"max.project.cpus\": true}")));
    fails(400, "max.project.cpus must be an integer >= -1", () -> SettingsRequest.parse(json("{\"max.project.cpus\": -5}")));
    fails(400, "max.account.gpus must be an integer >= -1 (-1 = unlimited) and <= 1000000",
        () -> SettingsRequest.parse(json("{\"max.account.gpus\": 1000001}")));
  }

  @Test
  void domainSettingsBody() throws Exception {
    assertThat(DomainSettingsService.parse(json("{\"gpu.detach.on.stop\": true}")))
        .containsExactly(Map.entry("gpu.detach.on.stop", "true"));
    assertThat(DomainSettingsService.parse(json("{\"gpu.detach.on.stop\": null}"))).containsKey("gpu.detach.on.stop")
        .containsValue(null);
    fails(400, "unknown setting 'max.account.gpus' (domain settings: gpu.detach.on.stop)",
        () -> DomainSettingsService.parse(json("{\"max.account.gpus\": 3}")));
    fails(400, "gpu.detach.on.stop: must be true or false",
        () -> DomainSettingsService.parse(json("{\"gpu.detach.on.stop\": \"false\"}")));
    fails(400, "request body must be a JSON object", () -> DomainSettingsService.parse(json("true")));
  }

  @Test
  void booleanFilter() {
    assertThat(OfferingResource.flag("gpuEnabled", "true")).isTrue();
    assertThat(OfferingResource.flag("gpuEnabled", "FALSE")).isFalse();
    assertThat(OfferingResource.flag("gpuEnabled", null)).isNull();
    fails(400, "gpuEnabled must be true or false", () -> OfferingResource.flag("gpuEnabled", "yes"));
  }
}
