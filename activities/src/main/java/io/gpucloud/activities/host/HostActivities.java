package io.gpucloud.activities.host;

import io.gpucloud.activities.discovery.DiscoveryReport;
import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;

/**
 * Activities that run on one host's agent worker (task queue {@code host-<hostName>}).
 * Workflows reach a specific host by building the stub with that task queue.
 */
@ActivityInterface
public interface HostActivities {

  /** ApplicationFailure type for discovery output that must not reach the inventory (not retried). */
  String INVALID_DISCOVERY_OUTPUT = "InvalidDiscoveryOutput";

  /** Task queue of the agent worker of {@code hostName}. */
  static String taskQueue(String hostName) {
    return "host-" + hostName;
  }

  /**
   * Runs the host's discovery hook and returns its validated output. Invalid output, a non-zero exit,
   * a timeout or too much output fail with a non-retryable {@code InvalidDiscoveryOutput} failure.
   */
  @ActivityMethod(name = "DiscoverGpus")
  DiscoveryReport discoverGpus();
}
