package io.gpucloud.activities.discovery;

import java.util.List;

/**
 * The validated output of one discovery run on one host: the usable GPU entries, and the problems found in
 * single entries (unusable entries left out, host console displays left out, fields taken as unknown).
 */
public record DiscoveryReport(List<DiscoveredGpu> gpus, List<DiscoveryProblem> problems) {
  public DiscoveryReport {
    gpus = gpus == null ? List.of() : List.copyOf(gpus);
    problems = problems == null ? List.of() : List.copyOf(problems);
  }

  /** A report without problems. */
  public DiscoveryReport(List<DiscoveredGpu> gpus) {
    this(gpus, List.of());
  }
}
