package io.gpucloud.agent.hooks;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs an executable hook the way CloudStack's agent runs its shell hooks: argv {@code [script, method,
 * arg...]} with no shell in between, optional text on stdin, a timeout and a cap on what the hook may print.
 *
 * <ul>
 *   <li>stdout and stderr are read concurrently, so neither pipe can block the hook;
 *   <li>stdout larger than {@code maxOutputBytes} kills the hook and fails ("output exceeded N bytes");
 *       stderr beyond the cap is read and dropped;
 *   <li>on timeout the hook and all its descendants are killed (destroyForcibly) and the call fails
 *       ("timed out after N s");
 *   <li>a non-zero exit fails with the exit code and the first ~4 KB of stderr in the message;
 *   <li>{@link #runIfPresent} skips a hook file that does not exist; a file that exists but is not
 *       executable is an error;
 *   <li>a hook file, or the directory it is in, that is group- or world-writable is refused (someone
 *       other than its owner could make the agent run anything): an error naming the path and its mode;
 *   <li>the hook gets a minimal environment, nothing of the agent's inherited: {@code PATH=}{@value #PATH},
 *       {@code LANG=}{@value #LANG}, and of the agent's environment only the variables the hook contract
 *       documents ({@link #CONTRACT_VARIABLES}: the discovery hook's {@code GPU_SYSFS_ROOT} and
 *       {@code GPU_DISCOVERY_INCLUDE}), when set.
 * </ul>
 *
 * <p>What is written to stdin is never logged or put into an exception message (it may hold secrets);
 * argument values are not logged either, only the method and the number of arguments.
 */
public final class HookRunner {
  private static final Logger LOG = LoggerFactory.getLogger(HookRunner.class);

  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);
  public static final int DEFAULT_MAX_OUTPUT_BYTES = 4 * 1024 * 1024;
  /** How much of stderr goes into a failure message. */
  public static final int STDERR_IN_MESSAGE_CHARS = 4096;

  /** The hooks' PATH. */
  public static final String PATH = "/usr/sbin:/usr/bin:/sbin:/bin";
  /** The hooks' LANG. */
  public static final String LANG = "C.UTF-8";
  /** The variables of the agent's environment a hook gets (when set): those the hook contract documents. */
  public static final List<String> CONTRACT_VARIABLES = List.of("GPU_SYSFS_ROOT", "GPU_DISCOVERY_INCLUDE");

  private static final Duration KILL_WAIT = Duration.ofSeconds(5);
  private static final Duration READER_WAIT = Duration.ofSeconds(2);

  private final Duration timeout;
  private final int maxOutputBytes;

  /** Default timeout (30 s) and output cap (4 MiB). */
  public HookRunner() {
    this(DEFAULT_TIMEOUT, DEFAULT_MAX_OUTPUT_BYTES);
  }

  public HookRunner(Duration timeout, int maxOutputBytes) {
    Objects.requireNonNull(timeout, "timeout");
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout must be positive: " + timeout);
    }
    if (maxOutputBytes <= 0) {
      throw new IllegalArgumentException("maxOutputBytes must be positive: " + maxOutputBytes);
    }
    this.timeout = timeout;
    this.maxOutputBytes = maxOutputBytes;
  }

  public Duration timeout() {
    return timeout;
  }

  public int maxOutputBytes() {
    return maxOutputBytes;
  }

  /** The same cap with another timeout. */
  public HookRunner withTimeout(Duration newTimeout) {
    return new HookRunner(newTimeout, maxOutputBytes);
  }

  /**
   * Runs {@code hook method args...}, or returns empty when the hook file does not exist.
   *
   * @param method the first argument (e.g. "transform", "onStart"); null for none
   * @param stdin text for the hook's stdin, or null to give it an empty stdin
   * @throws HookFailedException when the hook exists but cannot be run or fails
   */
  public Optional<HookResult> runIfPresent(Path hook, String method, List<String> args, String stdin) {
    Objects.requireNonNull(hook, "hook");
    if (!Files.exists(hook)) {
      LOG.debug("hook {} not present, skipped", hook);
      return Optional.empty();
    }
    return Optional.of(run(hook, method, args, stdin));
  }

  /** {@link #runIfPresent(Path, String, List, String)} without stdin. */
  public Optional<HookResult> runIfPresent(Path hook, String method, String... args) {
    return runIfPresent(hook, method, List.of(args), null);
  }

  /** {@link #run(Path, String, List, String)} without stdin. */
  public HookResult run(Path hook, String method, String... args) {
    return run(hook, method, List.of(args), null);
  }

  /**
   * Runs {@code hook method args...} (no shell) and returns what it printed when it exits with 0.
   *
   * @param method the first argument (e.g. "transform", "onStart"); null for none
   * @param args further arguments, passed literally
   * @param stdin text for the hook's stdin (UTF-8), or null to give it an empty stdin
   * @throws HookFailedException when the hook is missing or not executable, cannot be started, exits
   *     non-zero, runs past the timeout or prints more than the cap on stdout
   */
  public HookResult run(Path hook, String method, List<String> args, String stdin) {
    Objects.requireNonNull(hook, "hook");
    List<String> argv = new ArrayList<>();
    argv.add(hook.toString());
    if (method != null) {
      argv.add(method);
    }
    if (args != null) {
      for (String a : args) {
        argv.add(Objects.requireNonNull(a, "hook argument"));
      }
    }
    if (!Files.exists(hook)) {
      throw new HookFailedException(
          hook, HookFailedException.Reason.NOT_FOUND, null, null, "hook " + hook + " does not exist");
    }
    if (Files.isDirectory(hook)) {
      throw new HookFailedException(
          hook, HookFailedException.Reason.NOT_EXECUTABLE, null, null, "hook " + hook + " is a directory");
    }
    if (!Files.isExecutable(hook)) {
      throw new HookFailedException(
          hook,
          HookFailedException.Reason.NOT_EXECUTABLE,
          null,
          null,
          "hook " + hook + " is not executable (chmod +x it)");
    }

    refuseWritableByOthers(hook);

    long started = System.nanoTime();
    Process process;
    try {
      ProcessBuilder pb = new ProcessBuilder(argv);
      Map<String, String> env = pb.environment();
      env.clear();
      env.putAll(environment(System.getenv()));
      if (stdin == null) {
        pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
      }
      process = pb.start();
    } catch (IOException e) {
      throw new HookFailedException(
          hook,
          HookFailedException.Reason.START_FAILED,
          null,
          null,
          "hook " + hook + " could not be started: " + e.getMessage(),
          e);
    }
    LOG.debug("hook {} started: method={} args={} stdin={}", hook, method, argv.size() - (method == null ? 1 : 2),
        stdin == null ? "none" : "given");

    AtomicBoolean stdoutExceeded = new AtomicBoolean();
    CappedReader out =
        new CappedReader(process.getInputStream(), maxOutputBytes, () -> {
          stdoutExceeded.set(true);
          killTree(process);
        });
    CappedReader err = new CappedReader(process.getErrorStream(), maxOutputBytes, null);
    Thread outThread = daemon(out, "hook-stdout");
    Thread errThread = daemon(err, "hook-stderr");
    outThread.start();
    errThread.start();
    Thread inThread = null;
    if (stdin != null) {
      byte[] input = stdin.getBytes(StandardCharsets.UTF_8);
      OutputStream os = process.getOutputStream();
      inThread = daemon(() -> writeQuietly(os, input), "hook-stdin");
      inThread.start();
    }

    boolean finished;
    try {
      finished = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      killTree(process);
      Thread.currentThread().interrupt();
      throw new HookFailedException(
          hook, HookFailedException.Reason.INTERRUPTED, null, null, "hook " + hook + " interrupted", e);
    }
    if (!finished) {
      killTree(process);
    }
    join(outThread);
    join(errThread);
    if (inThread != null) {
      join(inThread);
    }
    long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
    String stderrText = err.text();

    if (stdoutExceeded.get()) {
      LOG.warn("hook {} output exceeded {} bytes, killed after {} ms", hook, maxOutputBytes, millis);
      throw new HookFailedException(
          hook,
          HookFailedException.Reason.OUTPUT_TOO_LARGE,
          null,
          stderrText,
          "hook " + hook + " output exceeded " + maxOutputBytes + " bytes; it was killed"
              + stderrSuffix(stderrText));
    }
    if (!finished) {
      LOG.warn("hook {} timed out after {} s, killed", hook, timeoutSeconds());
      throw new HookFailedException(
          hook,
          HookFailedException.Reason.TIMED_OUT,
          null,
          stderrText,
          "hook " + hook + " timed out after " + timeoutSeconds() + " s; it was killed"
              + stderrSuffix(stderrText));
    }
    int exit = process.exitValue();
    LOG.debug("hook {} exited {} after {} ms", hook, exit, millis);
    if (exit != 0) {
      throw new HookFailedException(
          hook,
          HookFailedException.Reason.NON_ZERO_EXIT,
          exit,
          stderrText,
          "hook " + hook + " failed with exit code " + exit + stderrSuffix(stderrText));
    }
    return new HookResult(exit, out.text(), stderrText);
  }

  /** What a hook's environment is, given the agent's: PATH, LANG and the contract's variables that are set. */
  public static Map<String, String> environment(Map<String, String> agent) {
    Map<String, String> env = new TreeMap<>();
    env.put("PATH", PATH);
    env.put("LANG", LANG);
    for (String name : CONTRACT_VARIABLES) {
      String value = agent.get(name);
      if (value != null) {
        env.put(name, value);
      }
    }
    return env;
  }

  /**
   * Refuses a hook that is group- or world-writable, or that sits in such a directory: the file as named and,
   * when it is a link, the file it leads to and that file's directory.
   */
  static void refuseWritableByOthers(Path hook) {
    Set<Path> checked = new LinkedHashSet<>();
    Path named = hook.toAbsolutePath().normalize();
    checked.add(named);
    if (named.getParent() != null) {
      checked.add(named.getParent());
    }
    try {
      Path real = named.toRealPath();
      checked.add(real);
      if (real.getParent() != null) {
        checked.add(real.getParent());
      }
    } catch (IOException e) {
      // checked as named; running it reports what is wrong
    }
    for (Path p : checked) {
      Set<PosixFilePermission> perms;
      try {
        perms = Files.getPosixFilePermissions(p);
      } catch (UnsupportedOperationException e) {
        return; // no POSIX modes on this file system
      } catch (IOException e) {
        continue; // gone or unreadable: running it reports that
      }
      if (perms.contains(PosixFilePermission.GROUP_WRITE) || perms.contains(PosixFilePermission.OTHERS_WRITE)) {
        String what = Files.isDirectory(p) ? "hook directory " + p : "hook " + p;
        throw new HookFailedException(hook, HookFailedException.Reason.UNSAFE_PERMISSIONS, null, null,
            what + " is group- or world-writable (mode " + PosixFilePermissions.toString(perms)
                + "); refusing to run " + hook + " (chmod go-w " + p + ")");
      }
    }
  }

  private String timeoutSeconds() {
    long ms = timeout.toMillis();
    return ms % 1000 == 0 ? Long.toString(ms / 1000) : Double.toString(ms / 1000.0);
  }

  private static String stderrSuffix(String stderr) {
    String s = stderr.strip();
    if (s.isEmpty()) {
      return " (no stderr)";
    }
    if (s.length() > STDERR_IN_MESSAGE_CHARS) {
      s = s.substring(0, STDERR_IN_MESSAGE_CHARS) + "... (stderr truncated)";
    }
    return "; stderr: " + s;
  }

  /** Kills the hook and everything it started; descendants are listed first, while they are still ours. */
  static void killTree(Process process) {
    List<ProcessHandle> descendants;
    try {
      descendants = process.descendants().toList();
    } catch (RuntimeException e) {
      descendants = List.of();
    }
    process.destroyForcibly();
    for (ProcessHandle h : descendants) {
      h.destroyForcibly();
    }
    // Some descendants may have started children between listing and killing: catch those too.
    for (ProcessHandle h : descendants) {
      try {
        h.descendants().forEach(ProcessHandle::destroyForcibly);
      } catch (RuntimeException ignored) {
        // process already gone
      }
    }
    try {
      process.waitFor(KILL_WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static Thread daemon(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }

  /** Waits a bounded time: a grandchild that escaped the kill could otherwise hold a pipe open forever. */
  private static void join(Thread t) {
    try {
      t.join(READER_WAIT.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void writeQuietly(OutputStream os, byte[] input) {
    try (os) {
      os.write(input);
      os.flush();
    } catch (IOException e) {
      // The hook closed its stdin or exited early: not an error by itself (its exit code decides).
    }
  }

  /** Reads a stream to its end, keeping at most {@code cap} bytes; calls onExceeded once and stops when over. */
  private static final class CappedReader implements Runnable {
    private final InputStream in;
    private final int cap;
    private final Runnable onExceeded;
    private final ByteArrayOutputStream buf = new ByteArrayOutputStream();

    CappedReader(InputStream in, int cap, Runnable onExceeded) {
      this.in = in;
      this.cap = cap;
      this.onExceeded = onExceeded;
    }

    @Override
    public void run() {
      byte[] chunk = new byte[8192];
      try (in) {
        int n;
        while ((n = in.read(chunk)) != -1) {
          synchronized (buf) {
            int room = cap - buf.size();
            if (n > room) {
              if (room > 0) {
                buf.write(chunk, 0, room);
              }
              if (onExceeded != null) {
                onExceeded.run();
                return;
              }
              // stderr: keep draining so the hook never blocks, drop the rest
              continue;
            }
            buf.write(chunk, 0, n);
          }
        }
      } catch (IOException e) {
        // stream closed under us (process killed): keep what was read
      }
    }

    String text() {
      synchronized (buf) {
        return buf.toString(StandardCharsets.UTF_8);
      }
    }
  }
}
