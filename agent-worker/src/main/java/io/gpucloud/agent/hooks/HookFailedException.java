package io.gpucloud.agent.hooks;

import java.nio.file.Path;

/**
 * A hook that could not be run, exited non-zero, ran past its timeout or printed more than allowed.
 * The message names the hook path; it never contains what was written to the hook's stdin.
 */
public class HookFailedException extends RuntimeException {
  /** Why the hook failed. */
  public enum Reason {
    NOT_FOUND,
    NOT_EXECUTABLE,
    /** The hook, or its directory, is group- or world-writable. */
    UNSAFE_PERMISSIONS,
    START_FAILED,
    NON_ZERO_EXIT,
    TIMED_OUT,
    OUTPUT_TOO_LARGE,
    INTERRUPTED
  }

  private final Path hook;
  private final Reason reason;
  private final Integer exitCode;
  private final String stderr;

  public HookFailedException(Path hook, Reason reason, Integer exitCode, String stderr, String message) {
    this(hook, reason, exitCode, stderr, message, null);
  }

  public HookFailedException(
      Path hook, Reason reason, Integer exitCode, String stderr, String message, Throwable cause) {
    super(message, cause);
    this.hook = hook;
    this.reason = reason;
    this.exitCode = exitCode;
    this.stderr = stderr;
  }

  public Path hook() {
    return hook;
  }

  public Reason reason() {
    return reason;
  }

  /** The exit status, or null when the hook did not exit on its own (timeout, output cap, not started). */
  public Integer exitCode() {
    return exitCode;
  }

  /** What the hook printed on stderr (cut at the runner's cap), or "" when there is nothing. */
  public String stderr() {
    return stderr == null ? "" : stderr;
  }
}
