package io.gpucloud.agent.hooks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
class HookRunnerTest {
  @TempDir Path dir;

  private final HookRunner runner = new HookRunner(Duration.ofSeconds(10), 64 * 1024);

  private Path script(String name, String body) throws IOException {
    Path p = dir.resolve(name);
    Files.writeString(p, "#!/bin/bash\n" + body + "\n", StandardCharsets.UTF_8);
    Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
    return p;
  }

  @Test
  void successReturnsStdoutAndPassesMethodAndArgs() throws IOException {
    Path hook = script("hello.sh", "echo \"method=$1 arg=$2 n=$#\"; echo warn >&2");
    HookResult r = runner.run(hook, "onStart", List.of("vm-1"), null);
    assertThat(r.exitCode()).isZero();
    assertThat(r.stdout()).isEqualTo("method=onStart arg=vm-1 n=2\n");
    assertThat(r.stderr()).isEqualTo("warn\n");
  }

  @Test
  void noMethodMeansNoArguments() throws IOException {
    Path hook = script("count.sh", "echo $#");
    assertThat(runner.run(hook, null, List.of(), null).stdout()).isEqualTo("0\n");
  }

  @Test
  void stdinIsPassedThrough() throws IOException {
    Path hook = script("cat.sh", "cat");
    String xml = "<domain type='kvm'><name>i-2-3-VM</name><secret>s3cr3t</secret></domain>\n";
    HookResult r = runner.run(hook, "transform", List.of(xml), xml);
    assertThat(r.stdout()).isEqualTo(xml);
  }

  @Test
  void emptyStdinWhenNoneGiven() throws IOException {
    Path hook = script("cat.sh", "cat; echo done");
    assertThat(runner.run(hook, "x", List.of(), null).stdout()).isEqualTo("done\n");
  }

  @Test
  void largeStdinAndOutputDoNotDeadlock() throws IOException {
    Path hook = script("cat.sh", "cat");
    String big = "x".repeat(50_000) + "\n";
    HookResult r = runner.run(hook, null, List.of(), big);
    assertThat(r.stdout()).isEqualTo(big);
  }

  @Test
  void nonZeroExitFailsWithCodeAndStderr() throws IOException {
    Path hook = script("fail.sh", "echo partial; echo 'bad domain xml: no <devices>' >&2; exit 3");
    assertThatThrownBy(() -> runner.run(hook, "transform", List.of("<domain/>"), "the-secret-stdin"))
        .isInstanceOf(HookFailedException.class)
        .hasMessageContaining(hook.toString())
        .hasMessageContaining("exit code 3")
        .hasMessageContaining("bad domain xml: no <devices>")
        .hasMessageNotContaining("the-secret-stdin")
        .satisfies(e -> {
          HookFailedException h = (HookFailedException) e;
          assertThat(h.exitCode()).isEqualTo(3);
          assertThat(h.reason()).isEqualTo(HookFailedException.Reason.NON_ZERO_EXIT);
          assertThat(h.hook()).isEqualTo(hook);
        });
  }

  @Test
  void longStderrIsTruncatedInMessage() throws IOException {
    Path hook = script("noisy.sh", "head -c 20000 /dev/zero | tr '\\0' e >&2; exit 1");
    assertThatThrownBy(() -> runner.run(hook, null, List.of(), null))
        .isInstanceOf(HookFailedException.class)
        .hasMessageContaining("stderr truncated")
        .satisfies(e -> assertThat(e.getMessage().length()).isLessThan(HookRunner.STDERR_IN_MESSAGE_CHARS + 500));
  }

  @Test
  void hangTimesOutAndProcessTreeIsKilled() throws Exception {
    Path pids = dir.resolve("pids");
    Path hook =
        script("hang.sh", "echo $$ > '" + pids + "'; sleep 60 & echo $! >> '" + pids + "'; wait");
    HookRunner fast = runner.withTimeout(Duration.ofSeconds(1));
    long t0 = System.nanoTime();
    assertThatThrownBy(() -> fast.run(hook, "onStart", List.of("vm"), null))
        .isInstanceOf(HookFailedException.class)
        .hasMessageContaining(hook.toString())
        .hasMessageContaining("timed out after 1 s")
        .satisfies(e -> assertThat(((HookFailedException) e).reason())
            .isEqualTo(HookFailedException.Reason.TIMED_OUT));
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(15));

    List<String> lines = Files.readAllLines(pids);
    assertThat(lines).hasSize(2);
    for (String line : lines) {
      long pid = Long.parseLong(line.strip());
      assertThat(waitGone(pid)).as("process %d still running", pid).isTrue();
    }
  }

  @Test
  void stdoutOverCapKillsAndFails() throws IOException {
    Path hook = script("yes.sh", "exec yes");
    HookRunner small = new HookRunner(Duration.ofSeconds(20), 1000);
    long t0 = System.nanoTime();
    assertThatThrownBy(() -> small.run(hook, null, List.of(), null))
        .isInstanceOf(HookFailedException.class)
        .hasMessageContaining(hook.toString())
        .hasMessageContaining("exceeded 1000 bytes")
        .satisfies(e -> assertThat(((HookFailedException) e).reason())
            .isEqualTo(HookFailedException.Reason.OUTPUT_TOO_LARGE));
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(10));
  }

  @Test
  void outputExactlyAtCapIsAccepted() throws IOException {
    Path hook = script("exact.sh", "head -c 1000 /dev/zero | tr '\\0' a");
    HookRunner small = new HookRunner(Duration.ofSeconds(20), 1000);
    assertThat(small.run(hook, null, List.of(), null).stdout()).hasSize(1000);
  }

  @Test
  void bigStderrDoesNotBlockTheHook() throws IOException {
    Path hook = script("stderr.sh", "head -c 500000 /dev/zero >&2; echo ok");
    HookRunner small = new HookRunner(Duration.ofSeconds(20), 1000);
    HookResult r = small.run(hook, null, List.of(), null);
    assertThat(r.stdout()).isEqualTo("ok\n");
    assertThat(r.stderr()).hasSize(1000);
  }

  @Test
  void missingHookIsSkipped() {
    Optional<HookResult> r = runner.runIfPresent(dir.resolve("absent.sh"), "onStart", "vm");
    assertThat(r).isEmpty();
  }

  @Test
  void presentHookRunsViaRunIfPresent() throws IOException {
    Path hook = script("present.sh", "echo hi");
    assertThat(runner.runIfPresent(hook, "onStop", "vm")).map(HookResult::stdout).contains("hi\n");
  }

  @Test
  void missingHookIsAnErrorForRun() {
    Path hook = dir.resolve("absent.sh");
    assertThatThrownBy(() -> runner.run(hook, "x"))
        .isInstanceOf(HookFailedException.class)
        .hasMessageContaining(hook.toString())
        .hasMessageContaining("does not exist");
  }

  @Test
  void nonExecutableFileIsAnError() throws IOException {
    Path hook = dir.resolve("plain.sh");
    Files.writeString(hook, "#!/bin/bash\necho hi\n");
    Files.setPosixFilePermissions(hook, PosixFilePermissions.fromString("rw-r--r--"));
    assertThatThrownBy(() -> runner.runIfPresent(hook, "onStart", "vm"))
        .isInstanceOf(HookFailedException.class)
        .hasMessageContaining(hook.toString())
        .hasMessageContaining("not executable");
  }

  @Test
  void shellMetacharactersArePassedLiterally() throws IOException {
    Path marker = dir.resolve("pwned");
    String evil = "$(touch " + marker + "); rm -rf \"" + dir.resolve("keep") + "\" `touch " + marker + "` | & > ;";
    Files.writeString(dir.resolve("keep"), "keep");
    Path hook = script("echoargs.sh", "printf '%s\\n' \"$@\"");
    HookResult r = runner.run(hook, "onStart", List.of(evil, "two words", "*"), null);
    assertThat(r.stdout()).isEqualTo("onStart\n" + evil + "\ntwo words\n*\n");
    assertThat(marker).doesNotExist();
    assertThat(dir.resolve("keep")).exists();
  }

  private static boolean waitGone(long pid) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (System.nanoTime() < deadline) {
      Optional<ProcessHandle> h = ProcessHandle.of(pid);
      if (h.isEmpty() || !h.get().isAlive() || isZombie(pid)) {
        return true;
      }
      Thread.sleep(50);
    }
    return false;
  }

  /** A killed grandchild may wait as a zombie for its new parent to reap it: it is not running any more. */
  private static boolean isZombie(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
      int close = stat.lastIndexOf(')');
      return close > 0 && stat.length() > close + 2 && stat.charAt(close + 2) == 'Z';
    } catch (IOException e) {
      return true;
    }
  }

  @Test
  void aHookGetsAMinimalEnvironmentNothingInherited() throws IOException {
    Path hook = script("env.sh", "env | sort");
    String env = runner.run(hook, null, List.of(), null).stdout();
    List<String> lines = env.lines().filter(l -> !l.startsWith("_=") && !l.startsWith("PWD=")
        && !l.startsWith("SHLVL=")).toList(); // bash sets these itself
    List<String> expected = new java.util.ArrayList<>(List.of("LANG=C.UTF-8", "PATH=/usr/sbin:/usr/bin:/sbin:/bin"));
    for (String v : HookRunner.CONTRACT_VARIABLES) {
      if (System.getenv(v) != null) {
        expected.add(v + "=" + System.getenv(v));
      }
    }
    assertThat(lines).containsExactlyInAnyOrderElementsOf(expected);
    assertThat(System.getenv("HOME")).as("the test's own environment has more").isNotNull();
    assertThat(env).doesNotContain("HOME=");
  }

  @Test
  void onlyTheContractsVariablesPassFromTheAgent() {
    java.util.Map<String, String> agent = java.util.Map.of("HOME", "/root", "AWS_SECRET_ACCESS_KEY", "s3cr3t",
        "PATH", "/opt/evil:/usr/bin", "LD_PRELOAD", "/tmp/x.so", "GPU_SYSFS_ROOT", "/srv/sysfs",
        "GPU_DISCOVERY_INCLUDE", "0000:03:00.0");
    assertThat(HookRunner.environment(agent)).containsExactlyInAnyOrderEntriesOf(java.util.Map.of(
        "PATH", "/usr/sbin:/usr/bin:/sbin:/bin", "LANG", "C.UTF-8", "GPU_SYSFS_ROOT", "/srv/sysfs",
        "GPU_DISCOVERY_INCLUDE", "0000:03:00.0"));
  }

  @Test
  void aGroupOrWorldWritableHookIsRefused() throws IOException {
    Path marker = dir.resolve("ran");
    Path hook = script("writable.sh", "touch " + marker);
    for (String mode : List.of("rwxrwxr-x", "rwxr-xrwx")) {
      Files.setPosixFilePermissions(hook, PosixFilePermissions.fromString(mode));
      assertThatThrownBy(() -> runner.runIfPresent(hook, "onStart", "vm"))
          .isInstanceOf(HookFailedException.class)
          .satisfies(e -> assertThat(((HookFailedException) e).reason())
              .isEqualTo(HookFailedException.Reason.UNSAFE_PERMISSIONS))
          .hasMessageContaining("hook " + hook + " is group- or world-writable (mode " + mode + ")");
    }
    assertThat(marker).doesNotExist();
  }

  @Test
  void aHookInAGroupOrWorldWritableDirectoryIsRefused() throws IOException {
    Path hooks = Files.createDirectory(dir.resolve("hooks"));
    Path hook = hooks.resolve("ok.sh");
    Files.writeString(hook, "#!/bin/bash\necho hi\n");
    Files.setPosixFilePermissions(hook, PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.setPosixFilePermissions(hooks, PosixFilePermissions.fromString("rwxrwxrwx"));
    assertThatThrownBy(() -> runner.run(hook, "onStart", "vm"))
        .isInstanceOf(HookFailedException.class)
        .hasMessageContaining("hook directory " + hooks + " is group- or world-writable (mode rwxrwxrwx)");
    // and through a link: the directory of the file it leads to counts too
    Path safe = Files.createDirectory(dir.resolve("safe"));
    Path link = Files.createSymbolicLink(safe.resolve("link.sh"), hook);
    assertThatThrownBy(() -> runner.run(link, "onStart", "vm"))
        .hasMessageContaining("hook directory " + hooks + " is group- or world-writable");
    Files.setPosixFilePermissions(hooks, PosixFilePermissions.fromString("rwxr-xr-x"));
    assertThat(runner.run(link, "onStart", "vm").stdout()).isEqualTo("hi\n");
  }
}
