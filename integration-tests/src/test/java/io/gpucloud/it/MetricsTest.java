package io.gpucloud.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * GET /metrics on the service's admin port (Prometheus text), scraped on the real stack after a deploy. The
 * deploy takes one of the "ACS Misc Card" GPUs of host M1 (those kept for the deploy tests that need a GPU of
 * their own); the device gauges are checked against the demo host H1's devices in the database.
 */
class MetricsTest {
  private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{[^}]*\\})? (\\S+)$");
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  static Stack stack;

  @BeforeAll
  static void up() {
    stack = Stack.get();
    stack.awaitHosts("H1", "M1");
  }

  private static String adminUrl(String path) {
    return "http://127.0.0.1:" + stack.env.get("GPUCLOUD_ADMIN_PORT") + path;
  }

  private static HttpResponse<String> get(String path) {
    try {
      return HTTP.send(HttpRequest.newBuilder(URI.create(adminUrl(path))).timeout(Duration.ofSeconds(30)).build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (java.io.IOException e) {
      throw new IllegalStateException("GET " + path + " on the admin port failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  record Sample(String name, String labels, double value) {}

  /** The last scrape's text, kept beside the stack's logs (metrics-scrape.txt) when the test ends. */
  static volatile String lastText = "";

  static List<Sample> scrape() {
    HttpResponse<String> r = get("/metrics");
    lastText = r.body();
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain; version=0.0.4");
    List<Sample> out = new ArrayList<>();
    for (String line : r.body().split("\n")) {
      Matcher m = SAMPLE.matcher(line);
      if (!line.startsWith("#") && m.matches()) {
        out.add(new Sample(m.group(1), m.group(2) == null ? "" : m.group(2), Double.parseDouble(m.group(3))));
      }
    }
    return out;
  }

  static double sum(List<Sample> samples, String name, String... labels) {
    return samples.stream().filter(s -> s.name().equals(name))
        .filter(s -> java.util.Arrays.stream(labels).allMatch(s.labels()::contains))
        .mapToDouble(Sample::value).sum();
  }

  @Test
  void aScrapeAfterADeployCarriesDevicesOperationsAndTemporalWorkerMetrics() throws Exception {
    Tenants.Tenant t = Tenants.tenant(stack, "metrics", Tenants.unlimited());
    String offering = Tenants.offering(stack, "ACS Misc Card", "passthrough", 1, 1, 100, 128);
    JsonNode i = Ops.running(stack, t, "metrics-vm", offering, Tenants.template(stack));
    try {
      long h1Devices;
      try (Connection c = stack.db()) {
        ResultSet rs = c.createStatement().executeQuery(
            "SELECT COUNT(*) FROM gpu_devices d JOIN hosts h ON h.id = d.host_id WHERE h.name = 'H1'");
        rs.next();
        h1Devices = rs.getLong(1);
      }
      assertThat(h1Devices).isPositive();
      java.util.concurrent.atomic.AtomicReference<List<Sample>> last = new java.util.concurrent.atomic.AtomicReference<>();
      // the database gauges are cached for 5 s, the SDK reports every 10 s
      Stack.await("the deploy, H1's devices and the Temporal worker metrics in /metrics", Duration.ofSeconds(40), () -> {
        List<Sample> s = scrape();
        last.set(s);
        return sum(s, "gpucloud_gpu_devices", "host=\"H1\"") == h1Devices
            && sum(s, "gpucloud_operation_duration_seconds_count", "operation=\"deploy\"", "outcome=\"success\"") >= 1
            && s.stream().anyMatch(x -> x.name().equals("temporal_worker_task_slots_available"));
      }, Duration.ofSeconds(2));
      List<Sample> s = last.get();
      assertThat(s).anySatisfy(x -> {
        assertThat(x.name()).isEqualTo("gpucloud_gpu_devices");
        assertThat(x.labels()).contains("host=\"M1\"", "card=\"ACS Misc Card\"", "profile=\"passthrough\"",
            "state=\"Allocated\"");
        assertThat(x.value()).isGreaterThanOrEqualTo(1);
      });
      assertThat(sum(s, "gpucloud_instances", "state=\"Running\"")).isGreaterThanOrEqualTo(1);
      assertThat(sum(s, "gpucloud_placement_attempts_total", "outcome=\"reserved\"")).isGreaterThanOrEqualTo(1);
      assertThat(s).extracting(Sample::name).contains("gpucloud_queue_length", "gpucloud_queue_oldest_wait_seconds",
          "gpucloud_operation_duration_seconds_bucket", "jvm_memory_used_bytes");
      // the control-plane worker ran Discovery's activities and the deploys' workflow tasks
      assertThat(s).extracting(Sample::name).anyMatch(n -> n.startsWith("temporal_activity_schedule_to_start_latency")
          || n.startsWith("temporal_workflow_task_schedule_to_start_latency"));
    } finally {
      java.nio.file.Files.writeString(stack.dataDir.resolve("metrics-scrape.txt"), lastText);
      Ops.destroyAll(stack, List.of(i.path("id").asText()));
    }
  }

  @Test
  void dropwizardsJsonMetricsMovedToMetricsJson() {
    HttpResponse<String> r = get("/metrics.json");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).startsWith("{").contains("\"gauges\"");
  }
}
