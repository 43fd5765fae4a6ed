package io.gpucloud.service.instances;

import io.gpucloud.activities.instance.InstanceState;
import io.gpucloud.activities.instance.Operation;
import io.gpucloud.activities.instance.OperationRequest;
import io.gpucloud.controlplane.instance.LifecycleActivitiesImpl;
import io.gpucloud.controlplane.instance.Operations;
import io.gpucloud.controlplane.instance.QueueSteps;
import io.gpucloud.controlplane.events.Events;
import io.gpucloud.service.ApiException;
import io.gpucloud.service.auth.Caller;
import io.gpucloud.service.auth.Scope;
import io.gpucloud.service.common.Causes;
import io.gpucloud.service.common.Idempotency;
import io.gpucloud.service.workflows.WorkflowStarts;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Operations on an existing instance: stop, start, reboot, scale, migrate, destroy. Each request is
 * one transaction: the instance row locked, its state checked against the operation (409 naming the
 * current state), the operation's own refusals (409), then one conditional update to the transitional
 * state with the operation counter incremented, the request's event (Scheduled) and the
 * Idempotency-Key's reply. After the commit the operation's workflow is started, under the id
 * {@link Operation#workflowId} gives for the new counter. Tenants act on their own instances, a
 * DomainAdmin on its subtree's, an Admin on any ({@link Scope}); an instance out of sight is 404.
 */
public class InstanceOperations {
  private static final Logger LOG = LoggerFactory.getLogger(InstanceOperations.class);

  private final Jdbi jdbi;
  private final WorkflowStarts starts;
  private final Idempotency<Accepted> replies;

  public InstanceOperations(Jdbi jdbi, WorkflowStarts starts) {
    this.jdbi = jdbi;
    this.starts = starts;
    this.replies = new Idempotency<>(jdbi, Accepted.class);
  }

  /**
   * An accepted operation: the reply (the instance, in its transitional state, with the workflowId)
   * and what its workflow is started with; stored whole under the Idempotency-Key, so that a repeat
   * starts the same workflow with the same request.
   */
  public record Accepted(InstanceView instance, OperationRequest request, String accountName, String hostName,
      String summary) {}

  public InstanceView stop(Caller caller, String id, OperationBodies.Stop body, String key) {
    return run(caller, id, Operation.STOP, body != null && body.forced(), null, null, key);
  }

  public InstanceView start(Caller caller, String id, String key) {
    return run(caller, id, Operation.START, false, null, null, key);
  }

  public InstanceView reboot(Caller caller, String id, String key) {
    return run(caller, id, Operation.REBOOT, false, null, null, key);
  }

  public InstanceView scale(Caller caller, String id, OperationBodies.Scale body, String key) {
    if (body == null) {
      throw ApiException.badRequest("offeringId is required");
    }
    return run(caller, id, Operation.SCALE, false, null, body.validOfferingId(), key);
  }

  public InstanceView migrate(Caller caller, String id, OperationBodies.Migrate body, String key) {
    return run(caller, id, Operation.MIGRATE, false, body == null ? null : body.validHostId(), null, key);
  }

  /** Destroy; a Queued instance (holding nothing) is withdrawn at once instead: Destroyed, no workflow. */
  public InstanceView destroy(Caller caller, String id, String key) {
    InstanceView withdrawn = jdbi.inTransaction(h -> {
      Scope scope = Scope.read(h, caller);
      InstanceReads reads = new InstanceReads(h);
      InstanceViewRow seen = reads.get(id, scope)
          .filter(r -> scope.seesInstance(r.accountId(), r.domainPath()))
          .orElseThrow(() -> ApiException.notFound("instance " + id + " does not exist"));
      if (!InstanceState.Queued.name().equals(seen.state()) || !QueueSteps.withdraw(h, id, caller.userId())) {
        return null;
      }
      return InstanceService.toView(reads.get(id, scope).orElseThrow(), List.of(), scope.isAdmin());
    });
    if (withdrawn != null) {
      starts.wakeDeploy(id); // its Deploy workflow ends now rather than at its next look
      return withdrawn;
    }
    return run(caller, id, Operation.DESTROY, false, null, null, key);
  }

  private InstanceView run(Caller caller, String id, Operation op, boolean force, String targetHostId,
      String offeringId, String idempotencyKey) {
    String key = Idempotency.key(idempotencyKey);
    Accepted accepted = replies.once(caller.userId(), key,
        a -> a.request() != null && a.request().instanceId().equals(id) && a.request().operation() == op,
        h -> accept(h, caller, id, op, force, targetHostId, offeringId)).value();
    // a repeated key answers with the first reply and starts the same workflow again: that covers a
    // crash between the commit and the start, and starts nothing when the workflow already exists
    OperationRequest r = accepted.request();
    try {
      starts.operation(r, accepted.instance().workflowId(), accepted.accountName(), accepted.hostName(),
          accepted.summary());
    } catch (RuntimeException e) {
      LOG.error("could not start {} of instance {}", name(op), id, e);
      throw new ApiException(503, "could not start the " + name(op) + " workflow (" + Causes.rootMessage(e)
          + "); the instance is " + op.transitional() + ": retry with the same Idempotency-Key");
    }
    return accepted.instance();
  }

  private Accepted accept(Handle h, Caller caller, String id, Operation op, boolean force, String targetHostId,
      String offeringId) {
    Scope scope = Scope.read(h, caller);
    InstanceReads reads = new InstanceReads(h);
    InstanceViewRow seen = reads.get(id, scope)
        .filter(r -> scope.seesInstance(r.accountId(), r.domainPath()))
        .orElseThrow(() -> ApiException.notFound("instance " + id + " does not exist"));
    // the row lock serialises operations on the instance: a second request waits here, then reads the
    // state the first one left
    Locked row = h.createQuery("SELECT state, op_seq, gpu_count FROM instances WHERE id = :id FOR UPDATE")
        .bind("id", id)
        .map((rs, ctx) -> new Locked(rs.getString("state"), rs.getInt("op_seq"), rs.getInt("gpu_count")))
        .one();
    InstanceState current = refuse(op, seen.name(), row);
    if (op == Operation.SCALE && h.createQuery("SELECT COUNT(*) FROM offerings WHERE id = :id")
        .bind("id", offeringId).mapTo(Integer.class).one() == 0) {
      throw ApiException.badRequest("offeringId " + offeringId + " does not exist");
    }
    String targetName = null;
    if (op == Operation.MIGRATE && targetHostId == null) {
      String why = LifecycleActivitiesImpl.whyNoHostReachesItsDisk(h, id);
      if (why != null) {
        throw ApiException.conflict("cannot migrate instance " + seen.name() + ": " + why);
      }
    }
    if (op == Operation.MIGRATE && targetHostId != null) {
      targetName = h.createQuery("SELECT name FROM hosts WHERE id = :id").bind("id", targetHostId)
          .mapTo(String.class).findOne()
          .orElseThrow(() -> ApiException.badRequest("hostId " + targetHostId + " does not exist"));
      Optional<String> why = whyHostCannotTake(h, id, targetHostId);
      if (why.isPresent()) {
        throw ApiException.conflict("cannot migrate instance " + seen.name() + ": " + why.get());
      }
    }
    String summary = summary(op, seen, force, targetName, offeringId);
    // the one beginning of an operation (also what host maintenance's children go through)
    Operations.Begun begun = Operations.begin(h, id, op, caller.userId(), force, targetHostId, offeringId, summary)
        .orElseThrow(() -> ApiException.notFound("instance " + id + " does not exist"));
    if (!begun.begun()) { // cannot happen under the row lock; never start a workflow without the change
      throw ApiException.conflict("instance " + seen.name() + " changed meanwhile; try again");
    }
    InstanceViewRow now = reads.get(id, scope).orElseThrow();
    InstanceView view = InstanceService.toView(now, reads.devicesOf(List.of(id)), scope.isAdmin());
    return new Accepted(view, begun.request(), seen.accountName(), seen.hostName(), summary);
  }

  /** The columns an operation checks, read under the row lock. */
  private record Locked(String state, int opSeq, int gpuCount) {}

  /**
   * The state the operation starts from; 409 when the instance is not in one the operation applies
   * to, or when a GPU instance is Running and the operation would need it live (migrate, scale).
   */
  private static InstanceState refuse(Operation op, String name, Locked row) {
    InstanceState current = Arrays.stream(InstanceState.values()).filter(s -> s.name().equals(row.state()))
        .findFirst().orElse(null);
    if (current == InstanceState.Running && row.gpuCount() > 0) {
      if (op == Operation.MIGRATE) {
        throw ApiException.conflict("live migration of a GPU instance is not supported; stop it first");
      }
      if (op == Operation.SCALE) {
        throw ApiException.conflict("dynamic scaling of a GPU instance is not supported; stop it first");
      }
    }
    if (current == null || !op.from().contains(current)) {
      throw ApiException.conflict("instance " + name + " is " + row.state() + "; " + name(op) + " needs "
          + needs(op));
    }
    return current;
  }

  /** The states an operation starts from, as a message says them: "Running, Stopped or Error". */
  static String needs(Operation op) {
    List<String> names = Arrays.stream(InstanceState.values()).filter(op.from()::contains).map(Enum::name).toList();
    return names.size() == 1 ? names.get(0)
        : String.join(", ", names.subList(0, names.size() - 1)) + " or " + names.get(names.size() - 1);
  }

  /** The operation as the API names it: stop, start, reboot, migrate, scale, destroy. */
  static String name(Operation op) {
    return op.name().toLowerCase(Locale.ROOT);
  }

  /** Why the host cannot take the instance's migration, by the placement rules; empty when it can. */
  static Optional<String> whyHostCannotTake(Handle h, String instanceId, String hostId) {
    return Optional.ofNullable(LifecycleActivitiesImpl.whyHostCannotTake(h, instanceId, hostId));
  }

  private static String summary(Operation op, InstanceViewRow i, boolean force, String targetHostName,
      String offeringId) {
    String what = name(op);
    String detail = switch (op) {
      case STOP -> force ? " (force)" : "";
      case MIGRATE -> targetHostName == null ? " to the best other host" : " to host " + targetHostName;
      case SCALE -> " to offering " + offeringId;
      default -> "";
    };
    return Character.toUpperCase(what.charAt(0)) + what.substring(1) + " " + i.name()
        + (i.hostName() == null ? "" : " on " + i.hostName()) + detail + " for account " + i.accountName();
  }
}
