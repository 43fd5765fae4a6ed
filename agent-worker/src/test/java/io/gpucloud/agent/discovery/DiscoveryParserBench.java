package io.gpucloud.agent.discovery;

import io.gpucloud.activities.discovery.InvalidDiscoveryOutputException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.function.Supplier;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * How long the discovery parser takes (make bench; excluded from the unit tests): rejecting ten megabytes of
 * garbage, the cap a hook may print, and parsing the mixed example report. Prints lines starting with BENCH;
 * asserts nothing about time (DiscoveryParserTest checks what is accepted and rejected).
 */
@Tag("bench")
class DiscoveryParserBench {
  static final int RUNS = 5;

  @Test
  void rejectingTenMegabytesOfGarbage() {
    report("reject 10 MiB random JSON characters", DiscoveryParserTest.tenMegabytesOfRandomJsonCharacters());
    report("reject 10 MiB string inside JSON", DiscoveryParserTest.tenMegabytesInsideJson());
  }

  @Test
  void parsingTheMixedReport() throws IOException {
    String json;
    try (InputStream in = DiscoveryParserBench.class.getResourceAsStream("/discovery/mixed.json")) {
      json = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    for (int i = 0; i < 200; i++) {
      DiscoveryParser.parse(json); // warm-up
    }
    int n = 2000;
    long t0 = System.nanoTime();
    for (int i = 0; i < n; i++) {
      DiscoveryParser.parse(json);
    }
    System.out.printf(Locale.ROOT, "BENCH discovery-parser parse mixed.json (%d bytes): %.1f us each over %d runs%n",
        json.length(), (System.nanoTime() - t0) / 1e3 / n, n);
  }

  private static void report(String what, String input) {
    Supplier<Long> once = () -> {
      long t0 = System.nanoTime();
      try {
        DiscoveryParser.parse(input);
        throw new AssertionError(what + ": accepted");
      } catch (InvalidDiscoveryOutputException e) {
        return System.nanoTime() - t0;
      }
    };
    long first = once.get();
    long best = Long.MAX_VALUE;
    for (int i = 0; i < RUNS; i++) {
      best = Math.min(best, once.get());
    }
    System.out.printf(Locale.ROOT, "BENCH discovery-parser %s: first %d ms, best of %d %d ms%n",
        what, first / 1_000_000, RUNS, best / 1_000_000);
  }
}
