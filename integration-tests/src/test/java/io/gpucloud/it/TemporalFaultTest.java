package io.gpucloud.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The Temporal dev server killed (kill -9) in the middle of a burst of deploys and started again on the same
 * database file after an outage longer than the host pickup timeout (20 s): the SDK's pollers back off for up
 * to a minute, so when the server returns the SetUpDomain steps' schedule-to-start timeouts fire before the
 * agents poll again. A Temporal outage is not a dead host: every in-flight deploy resumes and ends Running, and
 * the invariant holds afterwards (no device held twice, none left Reserved, each account's gpuTotal its devices
 * held, the hosts' libvirt domains those the database places there, the hosts Up).
 */
class TemporalFaultTest {
  static final String CARD = "ACS Simulated Graphics Card Pro";
  static final int DEPLOYS = 6;
  /** Longer than the host pickup timeout (Steps.HOST_PICKUP_TIMEOUT, 20 s). */
  static final Duration OUTAGE = Duration.ofSeconds(30);

  @Test
  @Timeout(value = 6, unit = java.util.concurrent.TimeUnit.MINUTES) // the trial; the stack's start not counted
  void temporalKilledAndRestartedMidBurstWithAnOutageLongerThanThePickupTimeout() throws Exception {
    Stack stack = Stack.get();
    stack.awaitHosts("H1", "H2");
    Tenants.Tenant t = Tenants.tenant(stack, "tfault", Tenants.unlimited());
    String offering = Tenants.offering(stack, CARD, "sim-4q", 1, 1, 100, 128);
    String template = Tenants.template(stack);
    Stack.ProcessCommand temporal = stack.commandOf("temporal"); // before the kill: /proc is gone after it
    long temporalPid = stack.pid("temporal");
    Stack.ProcessCommand agentH1 = stack.commandOf("agent-H1");
    Stack.ProcessCommand agentH2 = stack.commandOf("agent-H2");
    Instant trial = Instant.now();

    // the agents' pollers are away when the burst's set-up steps are scheduled (as when they back off after an
    // outage): those steps wait on the hosts' queues while Temporal dies, and their 20 s pickup timeouts fire as
    // soon as it is back, before the agents poll again
    Ops.kill9(stack.pid("agent-H1"));
    Ops.kill9(stack.pid("agent-H2"));

    // the burst: every deploy accepted (202), then Temporal dies under the in-flight workflows
    List<String> ids = new ArrayList<>();
    ExecutorService pool = Executors.newFixedThreadPool(DEPLOYS);
    try {
      List<Future<Stack.Response>> replies = new ArrayList<>();
      for (int i = 0; i < DEPLOYS; i++) {
        String name = "tf-" + i;
        replies.add(pool.submit(() -> Tenants.deploy(stack, t.key(), name, offering, template, null)));
      }
      for (Future<Stack.Response> f : replies) {
        Stack.Response r = f.get();
        assertThat(r.status()).as(r.raw()).isEqualTo(202);
        ids.add(r.body().path("id").asText());
      }
    } finally {
      pool.shutdownNow();
    }
    Thread.sleep(3000); // the deploys reserve and schedule their set-up on H1/H2's queues
    Ops.kill9(temporalPid);
    Instant killed = Instant.now();
    try {
      // while Temporal is away no host is marked Disconnected (HostLivenessJob leaves them alone)
      Thread.sleep(OUTAGE.toMillis() / 2);
      assertHostsUp(stack, "during the outage");
      Thread.sleep(Math.max(0, OUTAGE.toMillis() - Duration.between(killed, Instant.now()).toMillis()));
      stack.restart("temporal", temporal);
      Instant back = Instant.now();
      // the agents come back only now (a worker cannot start without a server): their pickups come late
      stack.restart("agent-H1", agentH1);
      stack.restart("agent-H2", agentH2);
      System.out.println("TemporalFaultTest: Temporal down for " + Duration.between(killed, back).toSeconds() + " s");

      // every in-flight deploy resumes and ends Running: no false "insufficient capacity ... did not pick up"
      List<JsonNode> settled = new ArrayList<>();
      Stack.await("the burst's deploys to settle after Temporal came back", Duration.ofMinutes(3), () -> {
        settled.clear();
        for (String id : ids) {
          JsonNode i = stack.get("/instances/" + id);
          if (!List.of("Running", "Error", "Stopped", "Destroyed").contains(i.path("state").asText())) {
            return false;
          }
          settled.add(i);
        }
        return true;
      }, Duration.ofSeconds(1));
      System.out.println("TemporalFaultTest: the burst settled " + Duration.between(back, Instant.now()).toSeconds()
          + " s after Temporal came back");
      assertThat(settled).allSatisfy(i -> assertThat(i.path("state").asText())
          .as("instance %s (%s)", i.path("id").asText(), i.path("errorReason").asText()).isEqualTo("Running"));
      for (JsonNode i : settled) {
        assertThat(Stack.list(i.path("devices"))).as(i.toString()).hasSize(1);
        stack.awaitWorkflow("deploy-" + i.path("id").asText(), Duration.ofSeconds(60));
      }

      // the invariant
      assertInvariant(stack, t, settled);
      // the hosts end Up (after the grace the pollers are seen again)
      Stack.await("H1 and H2 Up after the outage", Duration.ofSeconds(90), () -> hostsUp(stack));
      long believedAlive = countInLogs(stack, "believed alive");
      assertThat(believedAlive).as("pickup timeouts after the outage retried on the same host").isPositive();
      assertThat(countInLogs(stack, "did not pick up the deploy")).as("no host taken for dead").isZero();
      System.out.println("TemporalFaultTest: pickup timeouts on a host believed alive retried on the same host: "
          + believedAlive + "; trial " + Duration.between(trial, Instant.now()).toSeconds() + " s");
    } finally {
      Ops.destroyAll(stack, ids);
    }
  }

  static void assertInvariant(Stack stack, Tenants.Tenant t, List<JsonNode> instances) throws Exception {
    try (Connection c = stack.db()) {
      // no device held by two instances: each instance's devices are its own, one per GPU of its offering
      for (JsonNode i : instances) {
        try (PreparedStatement ps = c.prepareStatement(
            "SELECT COUNT(*), SUM(state = 'Allocated') FROM gpu_devices WHERE instance_id = ?")) {
          ps.setString(1, i.path("id").asText());
          ResultSet rs = ps.executeQuery();
          rs.next();
          assertThat(rs.getInt(1)).as("devices held by " + i.path("id").asText()).isEqualTo(1);
          assertThat(rs.getInt(2)).as("Allocated devices of " + i.path("id").asText()).isEqualTo(1);
        }
        assertThat(Ops.domainDefined(stack, i.path("hostName").asText(), i.path("id").asText()))
            .as("the libvirt domain of " + i.path("id").asText() + " on " + i.path("hostName").asText()).isTrue();
      }
      List<String> addresses = new ArrayList<>();
      instances.forEach(i -> Stack.list(i.path("devices")).forEach(d -> addresses.add(d.path("id").asText())));
      assertThat(addresses).as("no device in two instances").doesNotHaveDuplicates();
      // no device Reserved without an operation in flight (none is in flight now)
      ResultSet rs = c.createStatement().executeQuery("SELECT COUNT(*) FROM gpu_devices d JOIN instances i"
          + " ON i.id = d.instance_id WHERE d.state = 'Reserved' AND i.state IN ('Running', 'Stopped', 'Error',"
          + " 'Destroyed')");
      rs.next();
      assertThat(rs.getInt(1)).as("devices Reserved by an instance with no operation in flight").isZero();
      // the account's gpuTotal is the devices it holds
      try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM gpu_devices d JOIN instances i"
          + " ON i.id = d.instance_id WHERE i.account_id = ?")) {
        ps.setString(1, t.accountId());
        ResultSet held = ps.executeQuery();
        held.next();
        assertThat(Ops.gpuTotal(stack, t.accountId())).as("gpuTotal of the account").isEqualTo(held.getInt(1))
            .isEqualTo(instances.size());
      }
    }
  }

  static boolean hostsUp(Stack stack) {
    return Stack.list(stack.get("/hosts")).stream().filter(h -> h.path("name").asText().matches("H1|H2"))
        .allMatch(h -> h.path("state").asText().equals("Up"));
  }

  static void assertHostsUp(Stack stack, String when) {
    assertThat(Stack.list(stack.get("/hosts")).stream().filter(h -> h.path("name").asText().matches("H1|H2"))
        .map(h -> h.path("name").asText() + "=" + h.path("state").asText()).toList())
        .as("hosts " + when).containsExactlyInAnyOrder("H1=Up", "H2=Up");
  }

  static long countInLogs(Stack stack, String text) {
    long n = 0;
    for (String log : List.of("service.log", "service-2.log")) {
      try {
        n += Files.readAllLines(stack.dataDir.resolve("logs/" + log)).stream().filter(l -> l.contains(text)).count();
      } catch (java.io.IOException e) {
        // no such replica
      }
    }
    return n;
  }
}
