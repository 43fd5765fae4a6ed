package io.gpucloud.agent;

import io.gpucloud.activities.discovery.DiscoveryProblem;
import io.gpucloud.activities.discovery.DiscoveryReport;
import io.gpucloud.activities.discovery.InvalidDiscoveryOutputException;
import io.gpucloud.activities.host.HostActivities;
import io.gpucloud.agent.discovery.ConsoleDisplays;
import io.gpucloud.agent.discovery.DiscoveryOptIn;
import io.gpucloud.agent.discovery.DiscoveryParser;
import io.gpucloud.agent.hooks.HookFailedException;
import io.gpucloud.agent.hooks.HookResult;
import io.gpucloud.agent.hooks.HookRunner;
import io.temporal.failure.ApplicationFailure;
import java.nio.file.Path;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Host activities of this agent: runs the operator's discovery hook and validates its JSON here,
 * on the host, so nothing invalid ever travels to the control plane. Entries that cannot be used, and the
 * host's console displays, travel as problems of the report (the control plane keeps them out of
 * allocation); only a broken document fails the activity.
 *
 * <p>With an opt-in ({@code --discovery-include}, or {@code GPU_DISCOVERY_INCLUDE} in the agent's environment),
 * the hook is called as {@code gpudiscovery.sh --include LIST} (our script takes it; CloudStack's ignores its
 * arguments), and the opted-in devices are not left out here either.
 */
public class HostDiscoveryActivities implements HostActivities {
  private static final Logger LOG = LoggerFactory.getLogger(HostDiscoveryActivities.class);

  private final Path script;
  private final HookRunner runner;
  private final DiscoveryOptIn optIn;

  /** With the opt-in of the agent's environment ({@value DiscoveryOptIn#ENVIRONMENT}), if any. */
  public HostDiscoveryActivities(Path script, HookRunner runner) {
    this(script, runner, DiscoveryOptIn.fromEnvironment());
  }

  public HostDiscoveryActivities(Path script, HookRunner runner, DiscoveryOptIn optIn) {
    this.script = script;
    this.runner = runner;
    this.optIn = Objects.requireNonNull(optIn, "optIn");
  }

  @Override
  public DiscoveryReport discoverGpus() {
    HookResult result;
    try {
      result = runner.run(script, null, optIn.hookArguments(), null);
    } catch (HookFailedException e) {
      LOG.warn("discovery hook failed: {}", e.getMessage());
      throw ApplicationFailure.newNonRetryableFailure(e.getMessage(), INVALID_DISCOVERY_OUTPUT);
    }
    try {
      DiscoveryReport report = ConsoleDisplays.leaveOut(DiscoveryParser.parse(result.stdout()), optIn);
      LOG.info("discovery hook {} reported {} GPUs", script, report.gpus().size());
      for (DiscoveryProblem p : report.problems()) {
        LOG.warn("discovery: {} ({})", p.message(), p.kind());
      }
      return report;
    } catch (InvalidDiscoveryOutputException e) {
      String message = "invalid output from " + script + ": " + e.getMessage();
      LOG.warn(message);
      throw ApplicationFailure.newNonRetryableFailure(message, INVALID_DISCOVERY_OUTPUT);
    }
  }
}
