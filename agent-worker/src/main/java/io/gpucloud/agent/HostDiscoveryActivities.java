package io.gpucloud.agent;

import io.gpucloud.activities.discovery.DiscoveryReport;
import io.gpucloud.activities.discovery.InvalidDiscoveryOutputException;
import io.gpucloud.activities.host.HostActivities;
import io.gpucloud.agent.discovery.DiscoveryParser;
import io.gpucloud.agent.hooks.HookFailedException;
import io.gpucloud.agent.hooks.HookResult;
import io.gpucloud.agent.hooks.HookRunner;
import io.temporal.failure.ApplicationFailure;
import java.nio.file.Path;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Host activities of this agent: runs the operator's discovery hook and validates its JSON here,
 * on the host, so nothing invalid ever travels to the control plane.
 */
public class HostDiscoveryActivities implements HostActivities {
  private static final Logger LOG = LoggerFactory.getLogger(HostDiscoveryActivities.class);

  private final Path script;
  private final HookRunner runner;

  public HostDiscoveryActivities(Path script, HookRunner runner) {
    this.script = script;
    this.runner = runner;
  }

  @Override
  public DiscoveryReport discoverGpus() {
    HookResult result;
    try {
      result = runner.run(script, null, List.of(), null);
    } catch (HookFailedException e) {
      LOG.warn("discovery hook failed: {}", e.getMessage());
      throw ApplicationFailure.newNonRetryableFailure(e.getMessage(), INVALID_DISCOVERY_OUTPUT);
    }
    try {
      DiscoveryReport report = DiscoveryParser.parse(result.stdout());
      LOG.info("discovery hook {} reported {} GPUs", script, report.gpus().size());
      return report;
    } catch (InvalidDiscoveryOutputException e) {
      String message = "invalid output from " + script + ": " + e.getMessage();
      LOG.warn(message);
      throw ApplicationFailure.newNonRetryableFailure(message, INVALID_DISCOVERY_OUTPUT);
    }
  }
}
