package io.gpucloud.agent.discovery;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.gpucloud.activities.discovery.DiscoveryReport;
import io.gpucloud.activities.discovery.DiscoveryReportValidator;
import io.gpucloud.activities.discovery.InvalidDiscoveryOutputException;
import io.gpucloud.agent.sim.HostSpecLoader;
import io.gpucloud.agent.sim.SimulatedDiscovery;
import io.temporal.common.converter.JacksonJsonPayloadConverter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Hostile discovery output, stage one (no database): at least 10,000 mutated discovery outputs
 * ({@link DiscoveryMutator}: near-valid, made from the real sample outputs of src/test/resources/discovery and
 * the simulated hosts H1 and H2) through {@link DiscoveryParser} and {@link ConsoleDisplays}, as the agent runs
 * them. Each case either fails as a document (InvalidDiscoveryOutputException with a message: the agent sends
 * nothing, the control plane records DISCOVERY_FAILED) or gives a report that the control plane's own check of
 * what it receives ({@link DiscoveryReportValidator}, run first by the reconcile) accepts and that survives
 * Temporal's JSON converter unchanged. Anything else escaping (NPE, NumberFormatException, StackOverflowError,
 * OutOfMemoryError, ...) fails the test with the seed, the case number, the mutations and the input, cut.
 *
 * <p>Stage two, the reports through the real reconcile on MariaDB, is the control plane's
 * DiscoveryReconcileFuzzTest (the agent carries no database client, not even in its tests).
 *
 * <p>Seeded: {@code -Dfuzz.seed=N} replays a run, {@code -Dfuzz.cases=N} changes its size (default 12,000).
 * Prints the counts by outcome and a line starting {@code BENCH discovery fuzz:} with the cases per second.
 */
class DiscoveryParserFuzzTest {
  static final long DEFAULT_SEED = 20_260_413L;
  static final ObjectMapper TEMPORAL_JSON = JacksonJsonPayloadConverter.newDefaultObjectMapper();

  static List<String> samples() throws IOException {
    List<String> out = new ArrayList<>();
    Path dir = Path.of("src", "test", "resources", "discovery");
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : files.filter(f -> f.toString().endsWith(".json")).sorted().toList()) {
        out.add(Files.readString(p, StandardCharsets.UTF_8));
      }
    }
    for (String host : List.of("H1.yml", "H2.yml")) {
      out.add(DiscoveryJsonWriter.toJson(SimulatedDiscovery.report(HostSpecLoader.load(Path.of("..", "hosts", host)))));
    }
    return out;
  }

  /** The kind of a rejection, from its message. */
  static String kind(String message) {
    if (message.startsWith("discovery output is not valid JSON")) {
      return message.contains("nesting depth") ? "not JSON (too deep)"
          : message.contains("Number value length") || message.contains("String value length") ? "not JSON (too long)"
          : message.contains("Duplicate field") ? "not JSON (duplicate key)" : "not JSON";
    }
    if (message.startsWith("discovery output is empty")) {
      return "empty";
    }
    if (message.startsWith("discovery output: expected a JSON object") || message.startsWith("gpus:")) {
      return "not a gpus document";
    }
    if (message.contains("duplicate address")) {
      return "duplicate address";
    }
    return "no usable GPU entry";
  }

  @Test
  void mutatedOutputsAreRejectedCleanlyOrGiveAValidReport() throws IOException {
    long seed = Long.getLong("fuzz.seed", DEFAULT_SEED);
    int cases = Integer.getInteger("fuzz.cases", 12_000);
    System.out.println("discovery fuzz (parser): seed " + seed + ", " + cases + " cases (-Dfuzz.seed=" + seed
        + " replays them)");
    List<String> samples = samples();
    Random rnd = new Random(seed);
    DiscoveryMutator mutator = new DiscoveryMutator(rnd);
    Map<String, Integer> counts = new TreeMap<>();
    Map<String, String> failures = new TreeMap<>(); // one case per kind of failure
    long t0 = System.nanoTime();
    long inParser = 0;
    long slowest = 0;
    String slowestCase = null;
    for (int i = 0; i < cases; i++) {
      String sample = samples.get(rnd.nextInt(samples.size()));
      DiscoveryMutator.Case c = mutator.mutate(sample);
      String outcome;
      long t1 = System.nanoTime();
      try {
        outcome = check(c.input());
      } catch (Throwable e) { // what escaped the parser, or a report the control plane would refuse
        outcome = "FAILED";
        String kind = e.getClass().getName() + ": " + String.valueOf(e.getMessage()).replaceAll("\"[^\"]*\"?", "\"..\"")
            .replaceAll("[0-9]+", "N");
        kind = kind.length() > 200 ? kind.substring(0, 200) : kind;
        failures.putIfAbsent(kind, describe(seed, i, c, e));
      }
      long took = System.nanoTime() - t1;
      inParser += took;
      if (took > slowest) {
        slowest = took;
        slowestCase = "case " + i + " (" + outcome + ", " + c.input().length() + " chars): " + c.mutations();
      }
      counts.merge(outcome, 1, Integer::sum);
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    System.out.printf(Locale.ROOT, "discovery fuzz (parser): %.1f s in all, %.1f s parsing and checking%n", seconds,
        inParser / 1e9);
    System.out.printf(Locale.ROOT, "discovery fuzz (parser): slowest %.1f ms, %s%n", slowest / 1e6, slowestCase);
    failures.values().forEach(f -> System.out.println("FAILURE " + f));
    counts.forEach((k, v) -> System.out.printf(Locale.ROOT, "discovery fuzz (parser): %-40s %6d%n", k, v));
    System.out.printf(Locale.ROOT, "BENCH discovery fuzz: %d cases, %.0f cases/s (parser and console displays,"
        + " validated as the reconcile does, Temporal JSON round trip; seed %d)%n", cases, cases / seconds, seed);
    assertThat(failures.keySet()).as("kinds of cases that escaped as something else than a clean validation error"
        + " (one case of each printed above, starting FAILURE)").isEmpty();
    assertThat(counts.getOrDefault("valid, no problems", 0) + counts.getOrDefault("valid, with problems", 0))
        .as("near-valid cases that gave a report").isGreaterThan(cases / 10);
    assertThat(counts.keySet().stream().filter(k -> k.startsWith("rejected")).count())
        .as("kinds of rejection seen").isGreaterThanOrEqualTo(4);
  }

  /** The outcome of one input; throws what makes it a failure. */
  static String check(String input) throws IOException {
    DiscoveryReport report;
    try {
      report = ConsoleDisplays.leaveOut(DiscoveryParser.parse(input), DiscoveryOptIn.NONE);
    } catch (InvalidDiscoveryOutputException e) {
      if (e.getMessage() == null || e.getMessage().isBlank()) {
        throw new AssertionError("rejected without a message", e);
      }
      if (e.getMessage().length() > 4000) {
        throw new AssertionError("rejected with a message of " + e.getMessage().length() + " characters", e);
      }
      return "rejected: " + kind(e.getMessage());
    }
    DiscoveryReportValidator.validate(report); // what the reconcile checks first
    DiscoveryReport sent = TEMPORAL_JSON.readValue(TEMPORAL_JSON.writeValueAsBytes(report), DiscoveryReport.class);
    if (!sent.equals(report)) {
      throw new AssertionError("the report changes through Temporal's JSON converter: " + report + " -> " + sent);
    }
    return report.problems().isEmpty() ? "valid, no problems" : "valid, with problems";
  }

  static String describe(long seed, int i, DiscoveryMutator.Case c, Throwable e) {
    String input = c.input();
    String shown = input.length() <= 1200 ? input : input.substring(0, 1200) + "... (" + input.length() + " chars)";
    StringBuilder trace = new StringBuilder();
    for (StackTraceElement el : e.getStackTrace()) {
      if (trace.length() > 1500) {
        break;
      }
      trace.append("\n    at ").append(el);
    }
    String msg = String.valueOf(e.getMessage());
    return "seed " + seed + ", case " + i + ": " + e.getClass().getName() + ": "
        + (msg.length() > 500 ? msg.substring(0, 500) + "..." : msg) + trace + "\n  mutations: " + c.mutations()
        + "\n  input: " + shown;
  }
}
