package io.gpucloud.service.instances;

import static io.gpucloud.service.ApiAssertions.fails;
import static org.assertj.core.api.Assertions.assertThat;

import io.gpucloud.activities.instance.InstanceState;
import io.gpucloud.activities.instance.Operation;
import io.gpucloud.activities.instance.OperationRequest;
import io.gpucloud.service.ApiException;
import io.gpucloud.service.LifecycleFixture;
import io.gpucloud.service.RecordingStarts;
import io.gpucloud.service.auth.Caller;
import io.gpucloud.service.auth.Role;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Supplier;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The operations on an instance against the test database, with the workflow starts recorded instead
 * of sent to Temporal: each operation from each state (202 into the transitional state, or 409 naming
 * the state), the operation counter in the workflow ids, the GPU refusals, migration targets, two
 * requests racing on one instance, the Idempotency-Key, and who may act on which instance.
 */
class OperationsDatabaseTest {
  private LifecycleFixture f;
  private RecordingStarts starts;
  private InstanceOperations ops;
  private String hostId;
  private String accountId;
  private Caller tenant;

  @BeforeEach
  void setUp() {
    f = new LifecycleFixture();
    starts = new RecordingStarts();
    ops = new InstanceOperations(f.jdbi, starts);
    hostId = f.host("Up", "Enabled", 0);
    accountId = f.account(f.domain("ops", null));
    tenant = f.caller(Role.User, accountId);
  }

  private InstanceView run(Operation op, Caller caller, String id, String key) {
    return switch (op) {
      case STOP -> ops.stop(caller, id, null, key);
      case START -> ops.start(caller, id, key);
      case REBOOT -> ops.reboot(caller, id, key);
      case MIGRATE -> ops.migrate(caller, id, null, key);
      case SCALE -> ops.scale(caller, id, new OperationBodies.Scale(f.gpuOfferingId), key);
      case DESTROY -> ops.destroy(caller, id, key);
    };
  }

  @Test
  void eachOperationStartsFromItsStatesOnlyAndNamesTheCurrentStateOtherwise() {
    for (Operation op : Operation.values()) {
      for (InstanceState state : InstanceState.values()) {
        String id = f.instance(accountId, state.name(), hostId, 1);
        String what = op + " from " + state;
        if (state == InstanceState.Queued && op == Operation.DESTROY) {
          // a queued request holds nothing: withdrawn at once, no workflow
          InstanceView v = run(op, tenant, id, null);
          assertThat(v.state()).as(what).isEqualTo("Destroyed");
          assertThat(f.row(id)).as(what).containsEntry("state", "Destroyed").containsEntry("op_seq", 0);
          assertThat(starts.of(id)).as(what).isEmpty();
          continue;
        } else if (state == InstanceState.Running && op == Operation.MIGRATE) {
          fails(409, "live migration of a GPU instance is not supported; stop it first", () -> run(op, tenant, id, null));
        } else if (state == InstanceState.Running && op == Operation.SCALE) {
          fails(409, "dynamic scaling of a GPU instance is not supported; stop it first", () -> run(op, tenant, id, null));
        } else if (!op.from().contains(state)) {
          fails(409, "instance vm1 is " + state + "; " + op.name().toLowerCase() + " needs "
              + InstanceOperations.needs(op), () -> run(op, tenant, id, null));
        } else {
          InstanceView v = run(op, tenant, id, null);
          String workflowId = op.workflowId(id, 1);
          assertThat(v.state()).as(what).isEqualTo(op.transitional().name());
          assertThat(v.workflowId()).as(what).isEqualTo(workflowId);
          assertThat(f.row(id)).as(what).containsEntry("state", op.transitional().name())
              .containsEntry("op_seq", 1).containsEntry("workflow_id", workflowId);
          assertThat(f.events(id)).as(what).containsExactly(op.eventType() + " Scheduled " + workflowId);
          assertThat(starts.of(id)).as(what).singleElement().satisfies(s -> {
            assertThat(s.workflowId()).isEqualTo(workflowId);
            assertThat(s.request()).isEqualTo(new OperationRequest(id, op, state, tenant.userId(), false, null,
                op == Operation.SCALE ? f.gpuOfferingId : null));
            assertThat(s.hostName()).isEqualTo(f.hostName(hostId));
            assertThat(s.summary()).contains("vm1");
          });
          continue;
        }
        // a refusal changes nothing and starts nothing
        assertThat(f.row(id)).as(what).containsEntry("state", state.name()).containsEntry("op_seq", 0);
        assertThat(f.events(id)).as(what).isEmpty();
        assertThat(starts.of(id)).as(what).isEmpty();
      }
    }
    assertThat(InstanceOperations.needs(Operation.DESTROY)).isEqualTo("Running, Stopped or Error");
  }

  @Test
  void theMessagesSayTheStateAndWhatTheOperationNeeds() {
    String id = f.instance(accountId, "Stopping", hostId, 1);
    fails(409, "instance vm1 is Stopping; stop needs Running", () -> ops.stop(tenant, id, null, null));
    String plain = f.instance(accountId, "Running", hostId, 0);
    // without GPUs the refusals are the general ones
    fails(409, "instance vm1 is Running; migrate needs Stopped", () -> ops.migrate(tenant, plain, null, null));
    fails(409, "instance vm1 is Running; scale needs Stopped",
        () -> ops.scale(tenant, plain, new OperationBodies.Scale(f.plainOfferingId), null));
  }

  @Test
  void theCounterNumbersEachOperationAndDestroyHasOneId() {
    String id = f.instance(accountId, "Running", hostId, 1);
    assertThat(ops.stop(tenant, id, new OperationBodies.Stop(true), null).workflowId()).isEqualTo("stop-" + id + "-1");
    assertThat(starts.of(id).get(0).request().force()).isTrue();
    f.setState(id, "Stopped"); // what the workflow does at its end
    assertThat(ops.start(tenant, id, null).workflowId()).isEqualTo("start-" + id + "-2");
    f.setState(id, "Running");
    assertThat(ops.reboot(tenant, id, null).workflowId()).isEqualTo("reboot-" + id + "-3");
    f.setState(id, "Error");
    assertThat(ops.destroy(tenant, id, null).workflowId()).isEqualTo("destroy-" + id);
    assertThat(f.row(id)).containsEntry("op_seq", 4).containsEntry("state", "Destroying");
    assertThat(f.events(id)).containsExactly("VM.STOP Scheduled stop-" + id + "-1",
        "VM.START Scheduled start-" + id + "-2", "VM.REBOOT Scheduled reboot-" + id + "-3",
        "VM.DESTROY Scheduled destroy-" + id);
    assertThat(starts.of(id)).extracting(s -> s.request().previousState())
        .containsExactly(InstanceState.Running, InstanceState.Stopped, InstanceState.Running, InstanceState.Error);
  }

  @Test
  void scaleChecksTheOffering() {
    String id = f.instance(accountId, "Stopped", hostId, 1);
    fails(400, "offeringId is required", () -> ops.scale(tenant, id, null, null));
    fails(400, "offeringId is required", () -> ops.scale(tenant, id, new OperationBodies.Scale(null), null));
    fails(400, "offeringId must be a UUID", () -> ops.scale(tenant, id, new OperationBodies.Scale("x"), null));
    String missing = java.util.UUID.randomUUID().toString();
    fails(400, "offeringId " + missing + " does not exist",
        () -> ops.scale(tenant, id, new OperationBodies.Scale(missing), null));
    assertThat(f.row(id)).containsEntry("state", "Stopped");
    assertThat(ops.scale(tenant, id, new OperationBodies.Scale(f.plainOfferingId), null).state()).isEqualTo("Scaling");
    assertThat(starts.of(id).get(0).request().offeringId()).isEqualTo(f.plainOfferingId);
  }

  @Test
  void aMigrationTargetMustBeAnotherEnabledUpHostWithRoom() {
    String id = f.instance(accountId, "Stopped", hostId, 2);
    String name = "cannot migrate instance vm1: host ";
    fails(409, "cannot migrate instance vm1: target is the instance's own host",
        () -> ops.migrate(tenant, id, new OperationBodies.Migrate(hostId), null));
    String maintenance = f.host("Up", "Maintenance", 2);
    fails(409, name + f.hostName(maintenance) + " is in Maintenance",
        () -> ops.migrate(tenant, id, new OperationBodies.Migrate(maintenance), null));
    String preparing = f.host("Up", "PrepareForMaintenance", 2);
    fails(409, name + f.hostName(preparing) + " is preparing for maintenance (PrepareForMaintenance)",
        () -> ops.migrate(tenant, id, new OperationBodies.Migrate(preparing), null));
    String disabled = f.host("Up", "Disabled", 2);
    fails(409, name + f.hostName(disabled) + " is Disabled",
        () -> ops.migrate(tenant, id, new OperationBodies.Migrate(disabled), null));
    String down = f.host("Down", "Enabled", 2);
    fails(409, name + f.hostName(down) + " is Down",
        () -> ops.migrate(tenant, id, new OperationBodies.Migrate(down), null));
    String small = f.host("Up", "Enabled", 1);
    fails(409, name + f.hostName(small) + " has no room for 2 GPUs of ",
        () -> ops.migrate(tenant, id, new OperationBodies.Migrate(small), null));
    String missing = java.util.UUID.randomUUID().toString();
    fails(400, "hostId " + missing + " does not exist",
        () -> ops.migrate(tenant, id, new OperationBodies.Migrate(missing), null));
    assertThat(f.row(id)).containsEntry("state", "Stopped").containsEntry("op_seq", 0);

    String roomy = f.host("Up", "Enabled", 2);
    assertThat(ops.migrate(tenant, id, new OperationBodies.Migrate(roomy), null).state()).isEqualTo("Migrating");
    assertThat(starts.of(id)).singleElement().satisfies(s -> {
      assertThat(s.request().targetHostId()).isEqualTo(roomy);
      assertThat(s.summary()).isEqualTo("Migrate vm1 on " + f.hostName(hostId) + " to host " + f.hostName(roomy)
          + " for account " + s.accountName());
    });
  }

  @Test
  void aMigrationWithoutATargetLeavesTheChoiceToThePlacement() {
    String id = f.instance(accountId, "Stopped", hostId, 1);
    assertThat(ops.migrate(tenant, id, new OperationBodies.Migrate(null), null).workflowId())
        .isEqualTo("migrate-" + id + "-1");
    assertThat(starts.of(id).get(0).request().targetHostId()).isNull();
  }

  @Test
  void aDiskOnHostLocalStorageCannotBeMigrated() {
    String local = f.host("Up", "Enabled", 2);
    f.jdbi.useHandle(h -> h.execute("UPDATE hosts SET storage_pool = 'default', storage_shared = 0 WHERE id = ?",
        local));
    String id = f.instance(accountId, "Stopped", local, 1);
    String why = "cannot migrate instance vm1: the instance's disk is on host-local storage (pool default of host "
        + f.hostName(local) + ")";
    fails(409, why, () -> ops.migrate(tenant, id, new OperationBodies.Migrate(null), null));
    fails(409, why, () -> ops.migrate(tenant, id, new OperationBodies.Migrate(hostId), null));
    assertThat(f.row(id)).containsEntry("state", "Stopped").containsEntry("op_seq", 0);
    assertThat(starts.of(id)).isEmpty();
  }

  /** Runs the calls at once from their own threads; the statuses, 202 for a success. */
  private static List<Integer> race(List<Supplier<InstanceView>> calls) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(calls.size());
    try {
      CyclicBarrier barrier = new CyclicBarrier(calls.size());
      List<Future<Integer>> futures = new ArrayList<>();
      for (Supplier<InstanceView> call : calls) {
        futures.add(pool.submit(() -> {
          barrier.await();
          try {
            call.get();
            return 202;
          } catch (ApiException e) {
            return e.getStatus();
          }
        }));
      }
      List<Integer> out = new ArrayList<>();
      for (Future<Integer> fu : futures) {
        out.add(fu.get());
      }
      return out;
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void concurrentStopAndStartGiveOne202AndOne409() throws Exception {
    String id = f.instance(accountId, "Running", hostId, 1);
    assertThat(race(List.of(() -> ops.stop(tenant, id, null, null), () -> ops.start(tenant, id, null))))
        .containsExactly(202, 409);
    // on a Stopped instance the other way round
    String stopped = f.instance(accountId, "Stopped", hostId, 1);
    assertThat(race(List.of(() -> ops.stop(tenant, stopped, null, null), () -> ops.start(tenant, stopped, null))))
        .containsExactly(409, 202);
  }

  @Test
  void requestsRacingForOneInstanceGetExactlyOne202() throws Exception {
    for (int round = 0; round < 3; round++) {
      String id = f.instance(accountId, "Running", hostId, 1);
      List<Supplier<InstanceView>> calls = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        calls.add(() -> ops.stop(tenant, id, null, null));
        calls.add(() -> ops.destroy(tenant, id, null));
        calls.add(() -> ops.reboot(tenant, id, null));
      }
      List<Integer> statuses = race(calls);
      assertThat(statuses).filteredOn(s -> s == 202).hasSize(1);
      assertThat(statuses).filteredOn(s -> s == 409).hasSize(calls.size() - 1);
      assertThat(f.row(id)).containsEntry("op_seq", 1);
      assertThat(f.events(id)).hasSize(1);
      assertThat(starts.of(id)).hasSize(1);
    }
  }

  @Test
  void anIdempotencyKeyRepliesTheFirstAnswerAndStartsTheSameWorkflow() throws Exception {
    String id = f.instance(accountId, "Running", hostId, 1);
    String key = LifecycleFixture.uniq("k-");
    InstanceView first = ops.stop(tenant, id, null, key);
    f.setState(id, "Stopped"); // the stop finished meanwhile
    InstanceView again = ops.stop(tenant, id, null, key);
    assertThat(again).isEqualTo(first);
    assertThat(f.row(id)).containsEntry("op_seq", 1).containsEntry("state", "Stopped");
    assertThat(f.events(id)).hasSize(1);
    // started again with the same id and request: Temporal starts nothing for an existing id
    assertThat(starts.of(id)).hasSize(2).extracting(RecordingStarts.OperationStart::request).containsOnly(
        new OperationRequest(id, Operation.STOP, InstanceState.Running, tenant.userId(), false, null, null));
    // the key belongs to that request
    fails(409, "Idempotency-Key " + key + " was already used for another request", () -> ops.start(tenant, id, key));
    String other = f.instance(accountId, "Running", hostId, 1);
    fails(409, "was already used for another request", () -> ops.stop(tenant, other, null, key));
    // keys are per user: another user's same key is another request
    Caller colleague = f.caller(Role.User, accountId);
    assertThat(ops.start(colleague, id, key).workflowId()).isEqualTo("start-" + id + "-2");
  }

  @Test
  void racingRequestsWithOneKeyAnswerTheSame() throws Exception {
    String id = f.instance(accountId, "Running", hostId, 1);
    String key = LifecycleFixture.uniq("k-");
    List<InstanceView> views = new java.util.concurrent.CopyOnWriteArrayList<>();
    List<Supplier<InstanceView>> calls = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      calls.add(() -> {
        InstanceView v = ops.stop(tenant, id, null, key);
        views.add(v);
        return v;
      });
    }
    assertThat(race(calls)).containsOnly(202);
    assertThat(views).hasSize(4).allSatisfy(v -> assertThat(v.workflowId()).isEqualTo("stop-" + id + "-1"));
    assertThat(f.row(id)).containsEntry("op_seq", 1);
  }

  @Test
  void withoutTemporalTheRequestStaysRecordedAndTheSameKeyStartsItLater() {
    String id = f.instance(accountId, "Running", hostId, 1);
    String key = LifecycleFixture.uniq("k-");
    starts.failWith = new IllegalStateException("connection refused");
    fails(503, "could not start the stop workflow (connection refused); the instance is Stopping: retry with the"
        + " same Idempotency-Key", () -> ops.stop(tenant, id, null, key));
    assertThat(f.row(id)).containsEntry("state", "Stopping");
    starts.failWith = null;
    assertThat(ops.stop(tenant, id, null, key).workflowId()).isEqualTo("stop-" + id + "-1");
    assertThat(starts.of(id)).hasSize(1);
  }

  @Test
  void tenantsActOnTheirOwnInstancesDomainAdminsOnTheirSubtreesAdminsOnAny() {
    String mineDomain = f.domain("x_Q", null);
    String theirsDomain = f.domain("xzQ", null);
    String sub = f.domain("sub", mineDomain);
    String mineAccount = f.account(mineDomain);
    String subAccount = f.account(sub);
    String theirAccount = f.account(theirsDomain);
    Caller domainAdmin = f.caller(Role.DomainAdmin, mineAccount);
    Caller user = f.caller(Role.User, mineAccount);

    String theirs = f.instance(theirAccount, "Running", hostId, 1);
    fails(404, "instance " + theirs + " does not exist", () -> ops.stop(domainAdmin, theirs, null, null));
    fails(404, "instance " + theirs + " does not exist", () -> ops.destroy(user, theirs, null));
    String inSub = f.instance(subAccount, "Running", hostId, 1);
    fails(404, "does not exist", () -> ops.stop(user, inSub, null, null)); // a User: its own account only
    assertThat(ops.stop(domainAdmin, inSub, null, null).state()).isEqualTo("Stopping");
    String own = f.instance(mineAccount, "Running", hostId, 1);
    assertThat(ops.reboot(user, own, null).state()).isEqualTo("Rebooting");
    assertThat(ops.stop(f.admin, theirs, null, null).state()).isEqualTo("Stopping");
    assertThat(f.row(theirs)).containsEntry("op_seq", 1);
    // the event names who asked
    String asker = f.jdbi.withHandle(h -> h.createQuery("SELECT user_id FROM events WHERE instance_id = :id")
        .bind("id", theirs).mapTo(String.class).one());
    assertThat(asker).isEqualTo(f.admin.userId());
  }

  @Test
  void destroyedInstancesAreHiddenUnlessAskedFor() {
    InstanceService instances = new InstanceService(f.jdbi, null);
    String live = f.instance(accountId, "Running", hostId, 1);
    String gone = f.instance(accountId, "Destroyed", null, 0);
    assertThat(instances.list(tenant, null)).extracting(InstanceView::id).contains(live).doesNotContain(gone);
    assertThat(instances.list(tenant, "Destroyed")).extracting(InstanceView::id).containsExactly(gone);
    assertThat(instances.list(tenant, "destroyed")).extracting(InstanceView::id).containsExactly(gone);
    assertThat(instances.get(tenant, gone).state()).isEqualTo("Destroyed");
    fails(400, "state must be one of", () -> instances.list(tenant, "Gone"));
  }

  @Test
  void aDeployRequestWritesItsCreateEventWithTheInstance() {
    InstanceService instances = new InstanceService(f.jdbi, null);
    fails(503, "could not start the deploy workflow",
        () -> instances.create(tenant, new InstanceRequest("vm9", f.plainOfferingId, f.templateId, null, null), null));
    Map<String, Object> row = f.jdbi.withHandle(h -> h.createQuery("SELECT * FROM instances WHERE account_id = :a"
        + " AND name = 'vm9'").bind("a", accountId).mapToMap().one());
    String id = (String) row.get("id");
    assertThat(f.events(id)).containsExactly("VM.CREATE Scheduled deploy-" + id);
  }
}
