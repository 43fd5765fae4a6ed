package io.gpucloud.service.tenancy;

import io.gpucloud.service.ApiException;
import io.gpucloud.service.common.Checks;
import java.util.Locale;
import java.util.Set;

/**
 * Body of POST /api/v1/offerings. A vgpuProfileId makes a GPU offering: gpuCount defaults to 1 and
 * must be >= 1; without a profile gpuCount is 0 and gpuDisplay false. numaPolicy defaults to preferred.
 */
public record OfferingRequest(
    String name,
    String description,
    Integer cpuCores,
    Integer cpuSpeedMhz,
    Long memoryMb,
    String vgpuProfileId,
    Integer gpuCount,
    Boolean gpuDisplay,
    String numaPolicy) {

  public static final Set<String> NUMA_POLICIES = Set.of("required", "preferred", "none");

  /** Upper bounds, far above any real machine and far below where the products (cores x MHz) overflow. */
  public static final int MAX_CPU_CORES = 1024;
  public static final int MAX_CPU_MHZ = 100_000;
  /** 16 TiB in MiB. */
  public static final long MAX_MEMORY_MB = 16L * 1024 * 1024;
  public static final int MAX_GPU_COUNT = 64;

  public record Valid(
      String name,
      String description,
      int cpuCores,
      int cpuMhz,
      long memoryMb,
      String vgpuProfileId,
      int gpuCount,
      boolean gpuDisplay,
      String numaPolicy) {}

  public Valid validateCreate() {
    String n = Checks.name("name", name);
    String d = Checks.optionalText("description", description, Checks.MAX_DESCRIPTION);
    int cores = TenancyChecks.requiredBetween("cpuCores", cpuCores, 1, MAX_CPU_CORES);
    int mhz = TenancyChecks.requiredBetween("cpuSpeedMhz", cpuSpeedMhz, 1, MAX_CPU_MHZ);
    long mem = TenancyChecks.requiredBetween("memoryMb", memoryMb, 1L, MAX_MEMORY_MB);
    String profile = TenancyChecks.optionalId("vgpuProfileId", vgpuProfileId);
    int gpus;
    boolean display = gpuDisplay != null && gpuDisplay;
    if (profile != null) {
      gpus = gpuCount == null ? 1 : gpuCount;
      if (gpus < 1) {
        throw ApiException.badRequest("gpuCount must be >= 1");
      }
      if (gpus > MAX_GPU_COUNT) {
        throw ApiException.badRequest("gpuCount must be <= " + MAX_GPU_COUNT);
      }
    } else {
      if (gpuCount != null && gpuCount != 0) {
        throw ApiException.badRequest("gpuCount needs a vgpuProfileId (an offering without a profile has no GPUs)");
      }
      if (display) {
        throw ApiException.badRequest("gpuDisplay needs a vgpuProfileId");
      }
      gpus = 0;
    }
    String numa = numaPolicy == null ? "preferred" : numaPolicy.trim().toLowerCase(Locale.ROOT);
    if (!NUMA_POLICIES.contains(numa)) {
      throw ApiException.badRequest("numaPolicy must be one of required, preferred, none");
    }
    return new Valid(n, d, cores, mhz, mem, profile, gpus, display, numa);
  }
}
