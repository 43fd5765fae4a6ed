package io.gpucloud.agent.instance;

import java.util.Objects;

/**
 * A host step that failed, as the libvirt, mdev and hook code reports it: the message the workflow will see, what
 * failed ({@link Kind}) and whether a retry may succeed. Only {@link HostInstanceActivitiesImpl} turns it into the
 * activity's Temporal failure; nothing below the activity boundary knows Temporal.
 *
 * <p>The cause is the error the step ran into (a LibvirtException, an IOException) where the failure reported
 * one; none for failures the agent decides itself (a missing device, a hook).
 */
public final class HostStepException extends RuntimeException {
  /** What failed. */
  public enum Kind {
    /** libvirt, the mdev interface or the agent's own state on the host. */
    LIBVIRT,
    /** a hook: it failed, timed out or printed what it must not. */
    HOOK
  }

  private final Kind kind;
  private final boolean retryable;

  private HostStepException(Kind kind, boolean retryable, String message, Throwable cause) {
    super(message, cause);
    this.kind = Objects.requireNonNull(kind, "kind");
    this.retryable = retryable;
  }

  /** A failure a retry cannot fix, without a cause. */
  static HostStepException permanent(Kind kind, String message) {
    return new HostStepException(kind, false, message, null);
  }

  /** A failure a retry cannot fix, caused by {@code cause}. */
  static HostStepException permanent(Kind kind, String message, Throwable cause) {
    return new HostStepException(kind, false, message, cause);
  }

  /** A failure a retry may fix, caused by {@code cause}. */
  static HostStepException retryable(Kind kind, String message, Throwable cause) {
    return new HostStepException(kind, true, message, cause);
  }

  public Kind kind() {
    return kind;
  }

  public boolean retryable() {
    return retryable;
  }
}
