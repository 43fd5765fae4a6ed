package io.gpucloud.activities.discovery;

import java.util.List;

/** The validated output of one discovery run on one host. */
public record DiscoveryReport(List<DiscoveredGpu> gpus) {
  public DiscoveryReport {
    gpus = gpus == null ? List.of() : List.copyOf(gpus);
  }
}
