package io.gpucloud.service.temporal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gpucloud.activities.host.HostActivities;
import io.gpucloud.activities.host.HostLivenessActivities;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.client.WorkflowOptions;
import io.temporal.common.SearchAttributes;
import io.gpucloud.activities.SearchAttributeKeys;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import io.temporal.worker.WorkerFactory;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * temporal-setup and the start check against a real Temporal server (the CLI's dev server, started here
 * without any search attribute, as a production cluster comes): what is missing is named, the setup creates
 * the namespace and the attributes, a second run changes nothing. Skipped where the temporal CLI is missing.
 */
class TemporalSetupTest {
  static Process server;
  static WorkflowServiceStubs stubs;
  @TempDir static Path dir;

  @BeforeAll
  static void startServer() throws Exception {
    Assumptions.assumeTrue(onPath("temporal"), "the temporal CLI is not on PATH");
    int port = freePort();
    server = new ProcessBuilder("temporal", "server", "start-dev", "--headless", "--ip", "127.0.0.1",
        "--port", String.valueOf(port), "--http-port", String.valueOf(freePort()),
        "--metrics-port", String.valueOf(freePort()), "--db-filename", dir.resolve("t.db").toString(),
        "--log-level", "error")
        .redirectErrorStream(true).redirectOutput(dir.resolve("temporal.log").toFile()).start();
    stubs = WorkflowServiceStubs.newConnectedServiceStubs(
        WorkflowServiceStubsOptions.newBuilder().setTarget("127.0.0.1:" + port).build(), Duration.ofSeconds(60));
  }

  @AfterAll
  static void stopServer() throws Exception {
    if (stubs != null) {
      stubs.shutdownNow();
    }
    if (server != null) {
      server.destroy();
      server.waitFor(20, TimeUnit.SECONDS);
    }
  }

  @Test
  void missingAttributesAreNamedThenCreatedOnceAndTheStartCheckPasses() throws Exception {
    List<String> problems = TemporalSetup.check(stubs, "default");
    assertThat(problems).containsExactly("search attribute HostName (Keyword) is not defined",
        "search attribute InstanceUuid (Keyword) is not defined", "search attribute Account (Keyword) is not defined",
        "search attribute QueueState (Keyword) is not defined");
    assertThat(TemporalSetup.refusal("t:7233", "default", problems))
        .contains("HostName").contains("java -jar service.jar temporal-setup config.yml");

    // what an unset-up namespace does to a start (and the cause StartFailureLogging logs)
    WorkflowClient client = WorkflowClient.newInstance(stubs, WorkflowClientOptions.newBuilder()
        .setNamespace("default").setInterceptors(new StartFailureLogging()).build());
    assertThatThrownBy(() -> client.newUntypedWorkflowStub("Anything", WorkflowOptions.newBuilder()
            .setWorkflowId("wf-1").setTaskQueue("q")
            .setTypedSearchAttributes(SearchAttributes.newBuilder().set(SearchAttributeKeys.HOST_NAME, "H1").build())
            .build()).start())
        .satisfies(e -> assertThat(StartFailureLogging.rootCause(e)).contains("HostName"));

    assertThat(TemporalSetup.apply(stubs, "default", Duration.ofDays(3), Duration.ofSeconds(30)))
        .containsExactly("search attributes [HostName, InstanceUuid, Account, QueueState] (Keyword) added to namespace 'default'");
    assertThat(TemporalSetup.check(stubs, "default")).isEmpty();
    assertThat(TemporalSetup.apply(stubs, "default", Duration.ofDays(3), Duration.ofSeconds(30))).isEmpty();
  }

  @Test
  void aMissingNamespaceIsRegisteredWithItsAttributes() throws Exception {
    assertThat(TemporalSetup.check(stubs, "gpucloud-prod")).first().isEqualTo("namespace 'gpucloud-prod' does not exist");
    assertThat(TemporalSetup.apply(stubs, "gpucloud-prod", Duration.ofDays(7), Duration.ofSeconds(60)))
        .hasSize(2).first().isEqualTo("namespace 'gpucloud-prod' registered (retention 7 days)");
    assertThat(TemporalSetup.check(stubs, "gpucloud-prod")).isEmpty();
    assertThat(TemporalSetup.apply(stubs, "gpucloud-prod", Duration.ofDays(7), Duration.ofSeconds(60))).isEmpty();
  }

  /** The service refuses to start on a namespace without the attributes, naming them and the command. */
  @Test
  void theServiceRefusesToStartOnANamespaceWithoutTheAttributes() throws Exception {
    stubs.blockingStub().registerNamespace(io.temporal.api.workflowservice.v1.RegisterNamespaceRequest.newBuilder()
        .setNamespace("bare").setWorkflowExecutionRetentionPeriod(com.google.protobuf.Duration.newBuilder()
            .setSeconds(86400)).build());
    io.gpucloud.service.config.TemporalConfig config = new io.gpucloud.service.config.TemporalConfig();
    config.setTarget(stubs.getOptions().getTarget());
    config.setNamespace("bare");
    config.setWorkerEnabled(false);
    TemporalManaged temporal = new TemporalManaged(config, null, null);
    try {
      long until = System.currentTimeMillis() + 30_000; // the new namespace reaches every cache
      while (true) {
        try {
          temporal.start();
        } catch (IllegalStateException e) {
          if (e.getMessage().contains("does not exist") && System.currentTimeMillis() < until) {
            Thread.sleep(500);
            continue;
          }
          assertThat(e.getMessage()).contains("namespace 'bare'")
              .contains("search attribute HostName (Keyword) is not defined")
              .contains("Run `java -jar service.jar temporal-setup config.yml`");
          assertThat(new TemporalHealthCheck(temporal, "t").execute().getMessage()).contains("temporal-setup");
          break;
        }
        throw new AssertionError("the start was not refused");
      }
    } finally {
      temporal.stop();
    }
  }

  /** Past the outage grace, a host is alive only when its agent polled a moment ago. */
  @Test
  void hostLivenessAsksThePollersOnceTemporalHasBeenReachableAWhile() throws Exception {
    TemporalReachabilityTest.MovingClock clock = new TemporalReachabilityTest.MovingClock();
    TemporalReachability reachability = new TemporalReachability(clock);
    HostLivenessActivitiesImpl liveness = new HostLivenessActivitiesImpl(stubs, "default", reachability);
    HostLivenessActivities.Verdict v = liveness.hostLiveness("HX", 20);
    assertThat(v.alive()).isTrue(); // just started: the pollers may be backing off
    reachability.reachable(); // (the service's probe says so every 2 s)
    clock.advance(TemporalReachability.GRACE.plusSeconds(1));
    v = liveness.hostLiveness("HX", 20);
    assertThat(v.alive()).as(v.why()).isFalse();
    assertThat(v.why()).isEqualTo("no poller on host-HX");

    WorkerFactory factory = WorkerFactory.newInstance(WorkflowClient.newInstance(stubs));
    factory.newWorker(HostActivities.taskQueue("HX")).registerActivitiesImplementations(
        (HostActivities) () -> null);
    factory.start();
    try {
      long until = System.currentTimeMillis() + 15_000;
      do {
        Thread.sleep(300);
        v = liveness.hostLiveness("HX", 20);
      } while (!v.alive() && System.currentTimeMillis() < until);
      assertThat(v.alive()).as(v.why()).isTrue();
      assertThat(v.why()).startsWith("its agent polled");
    } finally {
      factory.shutdownNow();
    }
  }

  static boolean onPath(String exe) {
    for (String d : System.getenv().getOrDefault("PATH", "").split(":")) {
      if (Files.isExecutable(Path.of(d, exe))) {
        return true;
      }
    }
    return false;
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
