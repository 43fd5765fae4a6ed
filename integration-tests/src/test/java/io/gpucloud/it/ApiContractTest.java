package io.gpucloud.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The API against its own OpenAPI description on the live stack: the description is served without
 * a key, the input limits hold over real HTTP (a declared and a chunked body over 1 MiB, names), and
 * Schemathesis (scripts/schemathesis.sh: no 5xx, responses match their schemas, every status code is
 * documented) passes as Admin and as a tenant User. What it leaves out, and why, is in the script.
 */
class ApiContractTest {
  static Stack stack;
  static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  static final Duration ST_TIMEOUT = Duration.ofMinutes(4);

  @BeforeAll
  static void up() {
    stack = Stack.get();
  }

  @Test
  void theDescriptionIsServedWithoutAKey() throws Exception {
    Stack.Response r = stack.call("GET", "/openapi.json", null, null);
    assertThat(r.status()).as(r.raw()).isEqualTo(200);
    assertThat(r.body().path("openapi").asText()).startsWith("3.1");
    assertThat(r.body().path("components").path("securitySchemes").path("bearer").path("scheme").asText())
        .isEqualTo("bearer");
    int ops = 0;
    for (JsonNode item : r.body().path("paths")) {
      ops += item.size();
    }
    System.out.println("OPENAPI operations=" + ops);
    assertThat(ops).isGreaterThan(50);
    assertThat(stack.call("GET", "/gpu-cards", null, null).status()).isEqualTo(401);
  }

  @Test
  void bodiesOverOneMibAre413DeclaredOrChunked() throws Exception {
    byte[] big = ("{\"name\": \"" + "a".repeat(2 << 20) + "\"}").getBytes(StandardCharsets.UTF_8);
    HttpResponse<String> declared = post("/templates", HttpRequest.BodyPublishers.ofByteArray(big));
    assertThat(declared.statusCode()).as(declared.body()).isEqualTo(413);
    assertThat(Stack.JSON.readTree(declared.body()).path("code").asInt()).isEqualTo(413);
    // no Content-Length: the client sends it chunked
    HttpResponse<String> chunked = post("/templates",
        HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(big)));
    assertThat(chunked.statusCode()).as(chunked.body()).isEqualTo(413);
    assertThat(Stack.JSON.readTree(chunked.body()).path("message").asText()).contains("1 MiB");
  }

  @Test
  void namesOverTheirColumnOrWithControlCharactersAre400NamingTheField() {
    Map<String, Object> base = Map.of("osType", "linux", "rootDiskGb", 10, "imagePath", "/images/x.qcow2");
    for (String bad : List.of("n".repeat(256), "tab\there", "nl\n", "nul\u0000")) {
      Map<String, Object> body = new java.util.HashMap<>(base);
      body.put("name", bad);
      Stack.Response r = stack.admin("POST", "/templates", body);
      assertThat(r.status()).as(r.raw()).isEqualTo(400);
      assertThat(r.body().path("message").asText()).startsWith("name must");
    }
    Stack.Response unknown = stack.admin("POST", "/templates", Map.of("name", "t", "bogus", 1));
    assertThat(unknown.status()).isEqualTo(400);
    assertThat(unknown.body().path("message").asText()).contains("bogus");
  }

  @Test
  void schemathesisPassesAsAdminAndAsATenant() throws Exception {
    Tenants.Tenant tenant = Tenants.tenant(stack, "st", Tenants.unlimited());
    List<String> failures = new ArrayList<>();
    for (var who : List.of(Map.entry("admin", stack.adminKey), Map.entry("tenant", tenant.key()))) {
      Path log = Path.of("target", "schemathesis-" + who.getKey() + ".log");
      long t0 = System.nanoTime();
      ProcessBuilder pb = new ProcessBuilder("bash", Stack.REPO.resolve("scripts/schemathesis.sh").toString(),
          stack.apiUrl, who.getValue(), "--seed", "13")
          .directory(Stack.REPO.toFile());
      if (who.getKey().equals("admin")) {
        // Schemathesis reuses ids from earlier responses: as Admin it would reach the other tests' objects
        pb.environment().put("ST_READ_MOSTLY", "1");
      }
      Process p = pb
          .redirectErrorStream(true)
          .redirectOutput(log.toFile())
          .start();
      if (!p.waitFor(ST_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
        p.descendants().forEach(ProcessHandle::destroy);
        p.destroy();
        failures.add(who.getKey() + ": schemathesis ran over " + ST_TIMEOUT);
        continue;
      }
      String out = Files.readString(log);
      long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0);
      System.out.println("SCHEMATHESIS " + who.getKey() + " exit=" + p.exitValue() + " seconds=" + seconds
          + " " + counts(out));
      if (p.exitValue() != 0) {
        failures.add(who.getKey() + " (exit " + p.exitValue() + ", " + log.toAbsolutePath() + "):\n" + tail(out, 12000));
      }
    }
    assertThat(failures).isEmpty();
  }

  /** The operation and example counts from Schemathesis's summary. */
  static String counts(String out) {
    StringBuilder sb = new StringBuilder();
    for (String line : out.split("\n")) {
      String l = line.strip();
      if (l.matches("(?i).*(operations|selected|tested|test cases|generated|passed|failed|skipped).*\\d.*")
          && l.length() < 160) {
        sb.append(sb.length() == 0 ? "" : " | ").append(l.replaceAll("\u001b\\[[0-9;]*m", ""));
      }
    }
    return sb.toString();
  }

  static String tail(String s, int n) {
    return s.length() <= n ? s : s.substring(s.length() - n);
  }

  static HttpResponse<String> post(String path, HttpRequest.BodyPublisher body) throws Exception {
    HttpRequest req = HttpRequest.newBuilder(URI.create(stack.apiUrl + path))
        .timeout(Duration.ofSeconds(60))
        .header("Authorization", "Bearer " + stack.adminKey)
        .header("Content-Type", "application/json")
        .POST(body)
        .build();
    return HTTP.send(req, HttpResponse.BodyHandlers.ofString());
  }

}
