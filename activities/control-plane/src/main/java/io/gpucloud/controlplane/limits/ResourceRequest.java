package io.gpucloud.controlplane.limits;

/** What one deploy (or start) adds to its scopes' usage. */
public record ResourceRequest(int gpus, int instances, int cpus, long memoryMb) {

  public ResourceRequest {
    if (gpus < 0 || instances < 0 || cpus < 0 || memoryMb < 0) {
      throw new IllegalArgumentException("a resource request cannot be negative: " + gpus + " GPUs, "
          + instances + " instances, " + cpus + " CPUs, " + memoryMb + " MiB");
    }
  }

  /** One instance with the offering's shape. */
  public static ResourceRequest instance(int gpus, int cpus, long memoryMb) {
    return new ResourceRequest(gpus, 1, cpus, memoryMb);
  }

  public long get(Resource resource) {
    return resource.of(this);
  }
}
