package io.gpucloud.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.temporal.api.enums.v1.PendingActivityState;
import io.temporal.api.history.v1.ActivityTaskStartedEventAttributes;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.api.workflow.v1.PendingActivityInfo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * An agent killed with kill -9 in the middle of a stop and of a cold migration (issue 11), then restarted: the
 * operation ends as if nothing had happened, on the restarted agent, and nothing leaks (devices, domains,
 * mdevs). Stop on LC1 ('ACS Lifecycle Card'), whose state hook holds onStop at a gate so that the kill happens
 * while StopDomain runs; migration of an mt-4q vGPU instance from MT1 to MT2 (whose source step, RemoveMdevs,
 * runs on MT1's agent) with MT1's agent dead when the step is scheduled and restarted while it waits.
 */
class LifecycleCrashTest {
  static Stack stack;
  static String template;
  final List<String> created = new ArrayList<>();

  @BeforeAll
  static void up() {
    stack = Stack.get();
    stack.awaitHosts("LC1", "MT1", "MT2");
    template = Tenants.template(stack);
  }

  @AfterEach
  void cleanUp() {
    Ops.destroyAll(stack, created);
    String mt2 = stack.hostId("MT2");
    if (Ops.host(stack, mt2).path("resourceState").asText().equals("Disabled")) {
      stack.admin("POST", "/hosts/" + mt2 + "/enable", null);
    }
  }

  static Optional<PendingActivityInfo> pending(String workflowId, String activityType) {
    return stack.describe(workflowId).getPendingActivitiesList().stream()
        .filter(a -> a.getActivityType().getName().equals(activityType)).findFirst();
  }

  /** The one scheduling of the activity in the workflow's history, and its start (the last attempt's). */
  static ActivityTaskStartedEventAttributes onlyRun(String workflowId, String activityType, long restartedPid) {
    List<HistoryEvent> events = stack.temporal().fetchHistory(workflowId).getEvents();
    List<HistoryEvent> scheduled = events.stream().filter(e -> e.hasActivityTaskScheduledEventAttributes()
        && e.getActivityTaskScheduledEventAttributes().getActivityType().getName().equals(activityType)).toList();
    assertThat(scheduled).as(activityType + " scheduled once").hasSize(1);
    long scheduledId = scheduled.get(0).getEventId();
    ActivityTaskStartedEventAttributes started = events.stream()
        .filter(e -> e.hasActivityTaskStartedEventAttributes()
            && e.getActivityTaskStartedEventAttributes().getScheduledEventId() == scheduledId)
        .findFirst().orElseThrow().getActivityTaskStartedEventAttributes();
    assertThat(events.stream().filter(e -> e.hasActivityTaskCompletedEventAttributes()
        && e.getActivityTaskCompletedEventAttributes().getScheduledEventId() == scheduledId))
        .as(activityType + " completed by the restarted agent").singleElement()
        .satisfies(e -> assertThat(e.getActivityTaskCompletedEventAttributes().getIdentity())
            .startsWith(restartedPid + "@"));
    return started;
  }

  @Test
  void agentKilledInTheMiddleOfAStopIsRetriedOnTheRestartedAgentAndTheInstanceEndsStoppedHoldingItsDevices()
      throws Exception {
    Tenants.Tenant t = Tenants.tenant(stack, "crash-stop", Tenants.unlimited());
    String offering = Tenants.offering(stack, LifecycleTest.CARD, "passthrough", 1, 1, 500, 512);
    JsonNode x = Ops.running(stack, t, "crash-stop", offering, template);
    String id = x.path("id").asText();
    created.add(id);
    assertThat(x.path("hostName").asText()).isEqualTo("LC1");
    Map<String, String> held = Ops.devicesOf(x);

    Path dir = Files.createTempDirectory(stack.dataDir, "crash-stop-");
    Path entered = dir.resolve("entered");
    Path gate = dir.resolve("gate");
    Path hook = Ops.stateHook(stack, "LC1");
    Ops.writeHook(hook, Ops.gateHook("onStop", x.path("vmName").asText(), entered, gate));
    try {
      long oldPid = stack.pid("agent-LC1");
      List<String> cmd = Ops.commandLine(oldPid);
      Stack.Response r = Ops.post(stack, t.key(), id, "stop", null);
      assertThat(r.status()).as(r.raw()).isEqualTo(202);
      String workflowId = r.body().path("workflowId").asText();
      PendingActivityInfo[] before = new PendingActivityInfo[1];
      Stack.await("StopDomain to run LC1's onStop hook", Duration.ofSeconds(60), () -> {
        before[0] = pending(workflowId, "StopDomain").orElse(null);
        return before[0] != null && before[0].getState() == PendingActivityState.PENDING_ACTIVITY_STATE_STARTED
            && Files.exists(entered);
      });
      assertThat(before[0].getAttempt()).isEqualTo(1);
      assertThat(before[0].getLastWorkerIdentity()).startsWith(oldPid + "@");
      assertThat(Ops.state(stack, id)).isEqualTo("Stopping");

      Ops.kill9(oldPid);
      Files.createFile(gate); // the dead agent's hook ends; the retried step passes straight through
      Process restarted = Ops.restartAgent(stack, "LC1", cmd);

      JsonNode wf = stack.awaitWorkflow(workflowId, Ops.WORKFLOW_TIMEOUT);
      assertThat(wf.path("status").asText()).as(wf.toString()).isEqualTo("COMPLETED");
      ActivityTaskStartedEventAttributes started = onlyRun(workflowId, "StopDomain", restarted.pid());
      assertThat(started.getAttempt()).as("StopDomain was retried").isGreaterThanOrEqualTo(2);
      assertThat(started.getIdentity()).startsWith(restarted.pid() + "@");

      JsonNode stopped = Ops.instance(stack, id);
      assertThat(stopped.path("state").asText()).isEqualTo("Stopped");
      assertThat(Ops.devicesOf(stopped)).as("detach off: still held").isEqualTo(held);
      assertThat(Ops.domainDefined(stack, "LC1", id))
          .as("the domain the killed agent left shut off is undefined by the retried step").isFalse();
      Ops.assertDevicesConsistent(stack, stack.hostId("LC1"), LifecycleTest.CARD);
      assertThat(Ops.gpuTotal(stack, t.accountId())).isEqualTo(1);
    } finally {
      Files.deleteIfExists(hook);
      if (!Files.exists(gate)) {
        Files.createFile(gate);
      }
    }
    // it starts again, with its devices, on the restarted agent
    JsonNode again = Ops.ok(stack, t.key(), id, "start", null);
    assertThat(Ops.devicesOf(again)).isEqualTo(held);
    Ops.assertDomainHoldsItsDevices(stack, again);
    // and destroying it gives everything back
    Ops.ok(stack, t.key(), id, "destroy", null);
    for (String d : held.keySet()) {
      assertThat(Ops.device(stack, d).path("state").asText()).isEqualTo("Free");
    }
    assertThat(Ops.gpuTotal(stack, t.accountId())).isZero();
  }

  @Test
  void agentKilledInTheMiddleOfAMigrationFinishesItOnceRestartedAndNothingLeaks() throws Exception {
    String mt1 = stack.hostId("MT1");
    String mt2 = stack.hostId("MT2");
    Tenants.Tenant t = Tenants.tenant(stack, "crash-move", Tenants.unlimited());
    String offering = Tenants.offering(stack, MaintenanceTest.CARD, "mt-4q", 1, 1, 500, 512);
    // on MT1: MT2 Disabled while it deploys
    assertThat(stack.admin("POST", "/hosts/" + mt2 + "/disable", null).status()).isEqualTo(200);
    JsonNode x;
    try {
      x = Ops.running(stack, t, "crash-move", offering, template);
    } finally {
      assertThat(stack.admin("POST", "/hosts/" + mt2 + "/enable", null).status()).isEqualTo(200);
    }
    String id = x.path("id").asText();
    created.add(id);
    assertThat(x.path("hostName").asText()).isEqualTo("MT1");
    Map<String, String> source = Ops.devicesOf(x);
    Ops.ok(stack, t.key(), id, "stop", null);

    long oldPid = stack.pid("agent-MT1");
    List<String> cmd = Ops.commandLine(oldPid);
    Ops.kill9(oldPid);
    Process restarted;
    String workflowId;
    Stack.Response r = Ops.post(stack, t.key(), id, "migrate", Map.of("hostId", mt2));
    assertThat(r.status()).as(r.raw()).isEqualTo(202);
    workflowId = r.body().path("workflowId").asText();
    try {
      // the target's devices are reserved and the source step waits for MT1's agent
      Stack.await("RemoveMdevs scheduled on MT1's queue", Duration.ofSeconds(30),
          () -> pending(workflowId, "RemoveMdevs").isPresent());
      assertThat(pending(workflowId, "RemoveMdevs").orElseThrow().getState())
          .isEqualTo(PendingActivityState.PENDING_ACTIVITY_STATE_SCHEDULED);
      List<JsonNode> reserved = Ops.devices(stack, mt2, MaintenanceTest.CARD).stream()
          .filter(d -> id.equals(d.path("instanceId").asText())).toList();
      assertThat(reserved).as("target device reserved for the move").hasSize(1);
      assertThat(reserved.get(0).path("state").asText()).isEqualTo("Reserved");
      assertThat(Ops.state(stack, id)).isEqualTo("Migrating");
      assertThat(Ops.gpuTotal(stack, t.accountId())).as("counted once during the move").isEqualTo(1);
    } finally {
      restarted = Ops.restartAgent(stack, "MT1", cmd);
    }

    JsonNode wf = stack.awaitWorkflow(workflowId, Ops.WORKFLOW_TIMEOUT);
    assertThat(wf.path("status").asText()).as(wf.toString()).isEqualTo("COMPLETED");
    onlyRun(workflowId, "RemoveMdevs", restarted.pid());
    JsonNode moved = Ops.instance(stack, id);
    assertThat(moved.path("state").asText()).isEqualTo("Stopped");
    assertThat(moved.path("hostName").asText()).isEqualTo("MT2");
    assertThat(Stack.list(moved.path("devices"))).hasSize(1);
    for (String d : source.keySet()) {
      JsonNode dev = Ops.device(stack, d);
      assertThat(dev.path("state").asText()).as(dev.toString()).isEqualTo("Free");
      assertThat(dev.path("instanceId").isTextual()).isFalse();
    }
    assertThat(Ops.createdMdevs(stack, "MT1", id)).as("mdevs of the instance left on MT1").isZero();
    assertThat(Ops.domainDefined(stack, "MT1", id)).isFalse();
    assertThat(Ops.gpuTotal(stack, t.accountId())).isEqualTo(1);
    for (String h : List.of(mt1, mt2)) {
      assertThat(Ops.devices(stack, h, MaintenanceTest.CARD)).allSatisfy(d ->
          assertThat(d.path("state").asText()).as(d.toString()).isNotEqualTo("Reserved"));
      Ops.assertDevicesConsistent(stack, h, MaintenanceTest.CARD);
    }
    JsonNode running = Ops.ok(stack, t.key(), id, "start", null);
    assertThat(running.path("hostName").asText()).isEqualTo("MT2");
    Ops.assertDomainHoldsItsDevices(stack, running);
  }

  @Test
  void agentDeadWhenADestroysTearDownIsScheduledFinishesItOnceRestartedAndNothingLeaks() throws Exception {
    String mt1 = stack.hostId("MT1");
    String mt2 = stack.hostId("MT2");
    Tenants.Tenant t = Tenants.tenant(stack, "crash-destroy", Tenants.unlimited());
    String offering = Tenants.offering(stack, MaintenanceTest.CARD, "mt-4q", 1, 1, 500, 512);
    assertThat(stack.admin("POST", "/hosts/" + mt2 + "/disable", null).status()).isEqualTo(200);
    JsonNode x;
    try {
      x = Ops.running(stack, t, "crash-destroy", offering, template);
    } finally {
      assertThat(stack.admin("POST", "/hosts/" + mt2 + "/enable", null).status()).isEqualTo(200);
    }
    String id = x.path("id").asText();
    created.add(id);
    assertThat(x.path("hostName").asText()).isEqualTo("MT1");
    Map<String, String> held = Ops.devicesOf(x);

    long oldPid = stack.pid("agent-MT1");
    List<String> cmd = Ops.commandLine(oldPid);
    Ops.kill9(oldPid);
    Process restarted;
    Stack.Response r = Ops.destroy(stack, t.key(), id);
    assertThat(r.status()).as(r.raw()).isEqualTo(202);
    String workflowId = r.body().path("workflowId").asText();
    try {
      Stack.await("TearDownDomain scheduled on MT1's queue", Duration.ofSeconds(30),
          () -> pending(workflowId, "TearDownDomain").isPresent());
      assertThat(Ops.state(stack, id)).isEqualTo("Destroying");
      assertThat(Ops.gpuTotal(stack, t.accountId())).as("held until torn down").isEqualTo(1);
    } finally {
      restarted = Ops.restartAgent(stack, "MT1", cmd);
    }

    JsonNode wf = stack.awaitWorkflow(workflowId, Ops.WORKFLOW_TIMEOUT);
    assertThat(wf.path("status").asText()).as(wf.toString()).isEqualTo("COMPLETED");
    onlyRun(workflowId, "TearDownDomain", restarted.pid());
    assertThat(Ops.state(stack, id)).isEqualTo("Destroyed");
    for (String d : held.keySet()) {
      JsonNode dev = Ops.device(stack, d);
      assertThat(dev.path("state").asText()).as(dev.toString()).isEqualTo("Free");
      assertThat(dev.path("instanceId").isTextual()).isFalse();
    }
    assertThat(Ops.createdMdevs(stack, "MT1", id)).as("mdevs of the instance left on MT1").isZero();
    assertThat(Ops.domainDefined(stack, "MT1", id)).isFalse();
    assertThat(Ops.gpuTotal(stack, t.accountId())).isZero();
    assertThat(Ops.devices(stack, mt1, MaintenanceTest.CARD)).allSatisfy(d ->
        assertThat(d.path("state").asText()).as(d.toString()).isNotEqualTo("Reserved"));
    Ops.assertDevicesConsistent(stack, mt1, MaintenanceTest.CARD);
  }
}
