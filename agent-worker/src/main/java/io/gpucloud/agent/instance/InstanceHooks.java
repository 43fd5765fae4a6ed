package io.gpucloud.agent.instance;

import static io.gpucloud.agent.instance.HostStepException.Kind.HOOK;

import io.gpucloud.activities.instance.InstanceSpec;
import io.gpucloud.agent.domain.DomainXmlValidator;
import io.gpucloud.agent.domain.InvalidDomainXmlException;
import io.gpucloud.agent.hooks.HookFailedException;
import io.gpucloud.agent.hooks.HookResult;
import io.gpucloud.agent.hooks.HookRunner;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The instance hooks, called the way CloudStack's agent calls its shell hooks, from the hooks directory (a missing
 * hook is skipped), through {@link HookRunner} (timeout, output cap):
 *
 * <ul>
 *   <li>{@value #TRANSFORMER_HOOK} {@code transform <xml>} (XML also on stdin) before define: its stdout is the XML
 *       to define, which must still be the instance's domain ({@link DomainXmlValidator});
 *   <li>{@value #STATE_HOOK} {@code onStart <vm>} after every successful start (also when the domain was already
 *       running, so a retry after a crash between start and hook still runs it: at least once), and
 *       {@code onStop <vm>} after undefine stopped a running domain (a failing onStop is logged only: an undo must
 *       finish), after a stop (the domain is still undefined, then the failure is reported) and before a reboot (a
 *       failure stops the reboot).
 * </ul>
 *
 * <p>A failing, hanging or invalid hook fails the step with a non-retryable {@link HostStepException.Kind#HOOK}
 * whose message carries the hook's path and stderr, and starts "transformer hook failed: " or "state hook failed: ":
 * the service recognises that wording (HookReasons) and shows the detail to Admins only, tenants read a generic
 * reason. A hook runs with a minimal environment and is refused when it or its directory is group- or
 * world-writable ({@link HookRunner}).
 */
final class InstanceHooks {
  private static final Logger LOG = LoggerFactory.getLogger(InstanceHooks.class);

  static final String TRANSFORMER_HOOK = "libvirt-vm-xml-transformer.sh";
  static final String STATE_HOOK = "libvirt-vm-state-change.sh";

  private final Path hooksDir;
  private final HookRunner runner;

  InstanceHooks(Path hooksDir, HookRunner runner) {
    this.hooksDir = Objects.requireNonNull(hooksDir, "hooksDir");
    this.runner = Objects.requireNonNull(runner, "hooks");
  }

  /** The XML to define: the transformer's output, or {@code xml} itself when there is no transformer. */
  String transform(InstanceSpec spec, String xml) {
    Path hook = hooksDir.resolve(TRANSFORMER_HOOK);
    Optional<HookResult> result;
    try {
      result = runner.runIfPresent(hook, "transform", List.of(xml), xml);
    } catch (HookFailedException e) {
      LOG.warn("transformer hook failed for {}: {}", spec.vmName(), e.getMessage());
      throw HostStepException.permanent(HOOK, "transformer hook failed: " + e.getMessage());
    }
    if (result.isEmpty()) {
      return xml;
    }
    String out = result.get().stdout();
    try {
      DomainXmlValidator.validate(out, spec.vmName(), spec.instanceId());
    } catch (InvalidDomainXmlException e) {
      String stderr = result.get().stderr().strip();
      String message = "transformer hook failed: " + hook + " did not print the libvirt domain of " + spec.vmName()
          + ": " + e.getMessage() + (stderr.isEmpty() ? "" : "; stderr: " + cut(stderr));
      LOG.warn(message);
      throw HostStepException.permanent(HOOK, message);
    }
    LOG.debug("transformer hook applied to {}", spec.vmName());
    return out;
  }

  /** {@code onStart <vm>}: a failure fails the step. */
  void onStart(String vmName) {
    try {
      runner.runIfPresent(hooksDir.resolve(STATE_HOOK), "onStart", vmName);
    } catch (HookFailedException e) {
      LOG.warn("state hook onStart failed for {}: {}", vmName, e.getMessage());
      throw HostStepException.permanent(HOOK, "state hook failed: " + e.getMessage());
    }
  }

  /** {@code onStop <vm>}: a failure is logged only, the undo goes on. */
  void onStop(String vmName) {
    try {
      runner.runIfPresent(hooksDir.resolve(STATE_HOOK), "onStop", vmName);
    } catch (HookFailedException e) {
      LOG.warn("state hook onStop failed for {} (ignored, the undo goes on): {}", vmName, e.getMessage());
    }
  }

  /**
   * {@code onStop <vm>} of an operation (stop, reboot): its failure is returned, not thrown, so that the caller
   * decides when to report it (a stop finishes undefining first); null when the hook succeeded or is missing.
   */
  HostStepException onStopFailure(String vmName) {
    try {
      runner.runIfPresent(hooksDir.resolve(STATE_HOOK), "onStop", vmName);
      return null;
    } catch (HookFailedException e) {
      LOG.warn("state hook onStop failed for {}: {}", vmName, e.getMessage());
      return HostStepException.permanent(HOOK, "state hook failed: " + e.getMessage());
    }
  }

  private static String cut(String s) {
    return s.length() <= HookRunner.STDERR_IN_MESSAGE_CHARS
        ? s
        : s.substring(0, HookRunner.STDERR_IN_MESSAGE_CHARS) + "... (stderr truncated)";
  }
}
