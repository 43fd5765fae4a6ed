package io.gpucloud.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The audit trail of an instance's lifecycle (issue 11): GET /events lists an event for each request (Scheduled)
 * and each outcome (Completed) with the user, account, instance and workflow; its filters; and its scope (a
 * tenant sees its own account's events, a DomainAdmin its subtree's). On LC1 ('ACS Lifecycle Card').
 */
class EventsTest {
  static Stack stack;
  static String template;
  static String offering;
  final List<String> created = new ArrayList<>();

  @BeforeAll
  static void up() {
    stack = Stack.get();
    stack.awaitHosts(LifecycleTest.HOST);
    template = Tenants.template(stack);
    offering = Tenants.offering(stack, LifecycleTest.CARD, "passthrough", 1, 1, 500, 512);
  }

  @AfterEach
  void cleanUp() {
    Ops.destroyAll(stack, created);
  }

  static Instant at(JsonNode event) {
    return Instant.parse(event.path("createdAt").asText());
  }

  /** The single event of the type and state among them. */
  static JsonNode one(List<JsonNode> events, String type, String state) {
    List<JsonNode> found = events.stream().filter(e -> e.path("type").asText().equals(type)
        && e.path("state").asText().equals(state)).toList();
    assertThat(found).as(type + "/" + state + " in " + events).hasSize(1);
    return found.get(0);
  }

  @Test
  void eachStepOfTheLifecycleIsListedWithWhoAskedAndOnlyWithinScope() {
    String tag = UUID.randomUUID().toString().substring(0, 6);
    String mine = Tenants.domain(stack, Tenants.ROOT_DOMAIN, "ev-" + tag);
    String theirs = Tenants.domain(stack, Tenants.ROOT_DOMAIN, "ev-other-" + tag);
    Tenants.Tenant a = Tenants.tenantIn(stack, mine, "ev-owner", "User", Tenants.unlimited());
    Tenants.Tenant domainAdmin = Tenants.tenantIn(stack, mine, "ev-dadmin", "DomainAdmin", Tenants.unlimited());
    Tenants.Tenant b = Tenants.tenantIn(stack, theirs, "ev-stranger", "User", Tenants.unlimited());
    Tenants.Tenant otherAdmin = Tenants.tenantIn(stack, theirs, "ev-other-dadmin", "DomainAdmin",
        Tenants.unlimited());

    Instant begin = Instant.now().truncatedTo(ChronoUnit.SECONDS).minusSeconds(2);
    JsonNode x = Ops.running(stack, a, "audited", offering, template);
    String id = x.path("id").asText();
    created.add(id);
    // each operation, and the workflow its 202 named
    Map<String, String> workflows = new LinkedHashMap<>();
    workflows.put("VM.CREATE", "deploy-" + id);
    for (String[] step : new String[][] {{"stop", "VM.STOP"}, {"start", "VM.START"}, {"reboot", "VM.REBOOT"},
        {"destroy", "VM.DESTROY"}}) {
      Stack.Response r = step[0].equals("destroy") ? Ops.destroy(stack, a.key(), id)
          : Ops.post(stack, a.key(), id, step[0], null);
      assertThat(r.status()).as(r.raw()).isEqualTo(202);
      String wf = r.body().path("workflowId").asText();
      assertThat(stack.awaitWorkflow(wf, Ops.WORKFLOW_TIMEOUT).path("status").asText()).isEqualTo("COMPLETED");
      workflows.put(step[1], wf);
    }
    Instant end = Instant.now().truncatedTo(ChronoUnit.SECONDS).plusSeconds(2);

    List<JsonNode> events = Ops.events(stack, a.key(), "instanceId=" + id);
    assertThat(events).as(events.toString()).hasSize(15);
    Instant previous = Instant.MIN;
    for (Map.Entry<String, String> w : workflows.entrySet()) {
      JsonNode scheduled = one(events, w.getKey(), "Scheduled");
      JsonNode started = one(events, w.getKey(), "Started");
      JsonNode completed = one(events, w.getKey(), "Completed");
      for (JsonNode e : List.of(scheduled, started, completed)) {
        assertThat(e.path("accountId").asText()).as(e.toString()).isEqualTo(a.accountId());
        assertThat(e.path("instanceId").asText()).as(e.toString()).isEqualTo(id);
        assertThat(e.path("workflowId").asText()).as(e.toString()).isEqualTo(w.getValue());
        assertThat(e.path("description").asText()).as(e.toString()).isNotBlank();
        assertThat(at(e)).as(e.toString()).isBetween(begin, end);
      }
      assertThat(scheduled.path("userId").asText()).as("who asked: " + scheduled).isEqualTo(a.userId());
      assertThat(at(scheduled)).as(w.getKey() + " in order").isAfterOrEqualTo(previous);
      assertThat(at(started)).as(w.getKey() + " started after its request").isAfterOrEqualTo(at(scheduled));
      assertThat(started.path("userId").asText()).as("the request's user: " + started).isEqualTo(a.userId());
      assertThat(at(completed)).as(w.getKey() + " completed after it started").isAfterOrEqualTo(at(started));
      previous = at(completed);
    }
    assertThat(Ops.events(stack, a.key(), "accountId=" + a.accountId())).hasSize(15);

    // filters
    List<JsonNode> stops = Ops.events(stack, a.key(), "instanceId=" + id + "&type=VM.STOP");
    assertThat(stops).hasSize(3).allSatisfy(e -> assertThat(e.path("type").asText()).isEqualTo("VM.STOP"));
    assertThat(Ops.events(stack, a.key(), "instanceId=" + id + "&from=" + begin + "&to=" + end)).hasSize(15);
    assertThat(Ops.events(stack, a.key(), "instanceId=" + id + "&to=" + begin.minusSeconds(60))).isEmpty();
    assertThat(Ops.events(stack, a.key(), "instanceId=" + id + "&from=" + end.plusSeconds(60))).isEmpty();
    Stack.Response bad = stack.call("GET", "/events?from=yesterday", null, a.key());
    assertThat(bad.status()).as(bad.raw()).isEqualTo(400);
    assertThat(bad.body().path("message").asText()).contains("from");

    // scope: the DomainAdmin of the owner's domain sees them; a tenant or DomainAdmin elsewhere does not
    assertThat(Ops.events(stack, domainAdmin.key(), "instanceId=" + id)).hasSize(15);
    assertThat(Ops.events(stack, stack.adminKey, "instanceId=" + id)).hasSize(15);
    for (Tenants.Tenant outsider : List.of(b, otherAdmin)) {
      for (String query : List.of("instanceId=" + id, "accountId=" + a.accountId(), "type=VM.STOP")) {
        Stack.Response r = stack.call("GET", "/events?limit=1000&" + query, null, outsider.key());
        if (r.status() == 200) {
          assertThat(Stack.list(r.body())).as(query + " as an outsider")
              .noneMatch(e -> e.path("accountId").asText().equals(a.accountId())
                  || e.path("instanceId").asText().equals(id));
        } else {
          assertThat(r.status()).as(query + ": " + r.raw()).isIn(403, 404);
        }
      }
    }
    // tenants never see host events
    assertThat(Ops.events(stack, a.key(), "")).allSatisfy(e -> {
      assertThat(e.path("accountId").asText()).isEqualTo(a.accountId());
      assertThat(e.has("hostId")).as("tenants do not see hosts: " + e).isFalse();
    });
  }
}
