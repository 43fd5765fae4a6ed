package io.gpucloud.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * CPU time the stack's processes used (user + system, children included, from /proc), grouped as
 * temporal / mariadb / service / agents, and this test JVM as "bench client". For the benchmark's
 * "where does the time go" line; Linux only, and empty elsewhere.
 */
final class CpuMeter {
  private static final double TICKS_PER_SECOND = 100.0; // USER_HZ on Linux

  private CpuMeter() {}

  /** Seconds of CPU per group now. */
  static Map<String, Double> sample(Path pidDir) throws IOException {
    Map<String, Double> out = new LinkedHashMap<>();
    if (!Files.isDirectory(Path.of("/proc/self"))) {
      return out;
    }
    List<Path> pidFiles;
    try (Stream<Path> s = Files.list(pidDir)) {
      pidFiles = s.sorted().toList();
    }
    for (Path f : pidFiles) {
      String name = f.getFileName().toString();
      String group = name.startsWith("agent-") ? "agents" : name;
      long pid = Long.parseLong(Files.readString(f).trim());
      out.merge(group, seconds(pid), Double::sum);
    }
    // this JVM alone: the stack's processes are its descendants (it launched scripts/stack.sh)
    out.put("bench client", ticks(ProcessHandle.current().pid()) / TICKS_PER_SECOND);
    return out;
  }

  /** The process and its descendants (MariaDB runs under its launcher). */
  private static double seconds(long pid) {
    long descendants = ProcessHandle.of(pid)
        .map(p -> p.descendants().mapToLong(d -> ticks(d.pid())).sum()).orElse(0L);
    return (ticks(pid) + descendants) / TICKS_PER_SECOND;
  }

  private static long ticks(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime
    } catch (IOException | RuntimeException gone) {
      return 0;
    }
  }

  /** CPU per deploy of every process, the bench client included (it shares the cores). */
  static double totalMs(Map<String, Double> before, Map<String, Double> after, int deploys) {
    return after.keySet().stream().mapToDouble(k -> msPerDeploy(before, after, k, deploys)).sum();
  }

  private static double msPerDeploy(Map<String, Double> before, Map<String, Double> after, String key, int deploys) {
    return (after.get(key) - before.getOrDefault(key, 0.0)) * 1000 / deploys;
  }

  /** "temporal 28 ms, service 21 ms, ..." per deploy between two samples. */
  static String perDeploy(Map<String, Double> before, Map<String, Double> after, int deploys) {
    StringBuilder sb = new StringBuilder();
    double total = 0;
    for (String key : after.keySet()) {
      double ms = msPerDeploy(before, after, key, deploys);
      if (!key.equals("bench client")) {
        total += ms;
      }
      sb.append(sb.length() == 0 ? "" : ", ").append(String.format("%s %.1f ms", key, ms));
    }
    return sb.append(String.format("; stack total %.1f ms", total)).toString();
  }
}
