package io.gpucloud.it;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How Temporal's matching handed tasks of the "default" namespace to our workers, from the dev
 * server's Prometheus counters: a task that finds a poll waiting is passed on in memory (sync
 * match); any other is written to the server's database and read back, which costs CPU and latency.
 */
final class TaskHandOffs {
  private static final Pattern COUNTER =
      Pattern.compile("^(poll_success|poll_success_sync)\\{([^}]*)\\} ([0-9.e+]+)$", Pattern.MULTILINE);

  private TaskHandOffs() {}

  /** Tasks polled so far, and how many of them were sync-matched. */
  record Count(double polled, double syncMatched) {
    String since(Count before) {
      double polled = this.polled - before.polled;
      double sync = syncMatched - before.syncMatched;
      return String.format("%.0f of %.0f tasks sync-matched (%.0f%%); the rest went through Temporal's database",
          sync, polled, polled == 0 ? 100.0 : sync * 100 / polled);
    }
  }

  static Count sample(int metricsPort) throws IOException, InterruptedException {
    String body = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + metricsPort + "/metrics")).build(),
        HttpResponse.BodyHandlers.ofString()).body();
    double polled = 0;
    double sync = 0;
    Matcher m = COUNTER.matcher(body);
    while (m.find()) {
      if (!m.group(2).contains("namespace=\"default\"")) {
        continue;
      }
      double v = Double.parseDouble(m.group(3));
      if (m.group(1).equals("poll_success")) {
        polled += v;
      } else {
        sync += v;
      }
    }
    return new Count(polled, sync);
  }
}
