package io.gpucloud.service.instances;

import io.gpucloud.activities.instance.InstanceState;
import io.gpucloud.activities.inventory.InventoryActivities;
import io.gpucloud.controlplane.events.Events;
import io.gpucloud.service.ApiException;
import io.gpucloud.service.auth.Caller;
import io.gpucloud.service.auth.Scope;
import io.gpucloud.service.common.Checks;
import io.gpucloud.service.common.Idempotency;
import io.gpucloud.service.common.Iso;
import io.gpucloud.service.tenancy.OfferingRow;
import io.gpucloud.workflows.DeployStarter;
import io.gpucloud.workflows.DomainXmlWorkflow;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Deploy requests and instance views, scoped to what the caller may see. */
public class InstanceService {
  private static final Logger LOG = LoggerFactory.getLogger(InstanceService.class);

  private final Jdbi jdbi;
  private final WorkflowClient temporal;
  private final Idempotency<InstanceView> deploys;

  public InstanceService(Jdbi jdbi, WorkflowClient temporal) {
    this.jdbi = jdbi;
    this.temporal = temporal;
    this.deploys = new Idempotency<>(jdbi, InstanceView.class);
  }

  /**
   * Records the instance (Creating) and starts its Deploy workflow. With an Idempotency-Key, a
   * repeated request returns the first reply and starts nothing new.
   */
  public InstanceView create(Caller caller, InstanceRequest request, String idempotencyKey) {
    InstanceRequest req = Checks.body(request).validated();
    String key = Idempotency.key(idempotencyKey);
    String id = UUID.randomUUID().toString();
    String workflowId = DeployStarter.workflowId(id);
    // one handle, one transaction: the checks, the insert, its event and the reply read back
    InstanceView view = deploys.once(caller.userId(), key,
        v -> v.id() != null && DeployStarter.workflowId(v.id()).equals(v.workflowId()), h -> {
          DeployRequestDao tx = h.attach(DeployRequestDao.class);
          DeployTarget target = DeployTarget.resolve(h, caller, req.offeringId(), req.templateId(), req.projectId());
          OfferingRow offering = target.offering();
          String accountId = target.accountId();
          QueueOptions.Valid q = req.queue() == null ? null : req.queue().validated();
          if (q != null && !q.waitForQuota()) {
            // not queued behind its own quota: a request its limits cannot take now is refused at once
            QueueAdmissionChecks.requireWithinLimits(jdbi, accountId, req.projectId(), offering, 1);
          }
          tx.insert(id, req.name(), "i-" + id, accountId, req.projectId(), caller.userId(), offering,
              req.templateId(), workflowId);
          if (q != null) {
            tx.queue(id, q.priority(), q.maxWait().toMillis(), q.waitForQuota(), null, false);
          }
          Events.record(h, new Events.Event("VM.CREATE", Events.SCHEDULED, caller.userId(), accountId, id, null,
              workflowId, "deploy " + req.name() + " with offering " + offering.name()));
          return toView(new InstanceReads(h).inserted(id), List.of(), false);
        }).value();
    // a repeated key answers with the first reply; starting again covers a crash between recording and
    // starting (the workflow id is the instance's, so an existing deploy is not started twice)
    startDeploy(view);
    return view;
  }

  private void startDeploy(InstanceView v) {
    String summary = "Deploy " + v.name() + " (" + v.offeringName()
        + (v.gpuCards() == null ? "" : ", " + v.gpuCards()) + ") for account " + v.accountName();
    try {
      DeployStarter.start(temporal, v.id(), v.name(), v.accountName(), summary);
    } catch (RuntimeException e) {
      LOG.error("could not start the deploy of {}", v.id(), e);
      throw new ApiException(503, "could not start the deploy workflow (Temporal unavailable); retry with the"
          + " same Idempotency-Key");
    }
  }

  /**
   * The instances the caller sees (see {@link Scope}), newest first; state filters when not null, and
   * without it the Destroyed ones (kept for usage and audit) are left out.
   */
  public List<InstanceView> list(Caller caller, String state) {
    InstanceState s = Checks.optionalEnum("state", state, InstanceState.class);
    return jdbi.withHandle(h -> {
      Scope scope = Scope.read(h, caller);
      InstanceReads dao = new InstanceReads(h);
      List<InstanceViewRow> rows = dao.list(scope, s == null ? null : s.name()).stream()
          .filter(r -> scope.seesInstance(r.accountId(), r.domainPath()))
          .toList();
      Map<String, List<DeviceOfInstance>> devices = devicesByInstance(dao, rows);
      return rows.stream().map(r -> toView(r, devices.getOrDefault(r.id(), List.of()), scope.isAdmin())).toList();
    });
  }

  /** One instance the caller sees; 404 for one it does not (or that does not exist). */
  public InstanceView get(Caller caller, String id) {
    return jdbi.withHandle(h -> {
      Scope scope = Scope.read(h, caller);
      InstanceReads dao = new InstanceReads(h);
      InstanceViewRow r = dao.get(id, scope)
          .filter(i -> scope.seesInstance(i.accountId(), i.domainPath()))
          .orElseThrow(() -> ApiException.notFound("instance " + id + " does not exist"));
      return toView(r, dao.devicesOf(List.of(id)), scope.isAdmin());
    });
  }

  /**
   * Devices of the instances the caller sees (of the one with id instanceId when not null), as a
   * tenant sees them (no host, no address); in the order of the instance list, then bus address.
   */
  public List<TenantDevice> devicesVisibleTo(Caller caller, String instanceId) {
    return jdbi.withHandle(h -> {
      Scope scope = Scope.read(h, caller);
      InstanceReads dao = new InstanceReads(h);
      List<InstanceViewRow> rows = (instanceId == null ? dao.list(scope, null) : dao.get(instanceId, scope).stream()
              .filter(r -> r.id().equals(instanceId)).toList())
          .stream()
          .filter(r -> scope.seesDevice(r.accountId(), r.domainPath()))
          .toList();
      Map<String, List<DeviceOfInstance>> devices = devicesByInstance(dao, rows);
      return rows.stream()
          .flatMap(r -> devices.getOrDefault(r.id(), List.of()).stream().map(d -> new TenantDevice(d.id(), r.id(),
              r.name(), d.type(), d.cardName(), d.profileName(), d.state())))
          .toList();
    });
  }

  /** The devices of the rows' instances, each instance's in bus-address order; one query. */
  private static Map<String, List<DeviceOfInstance>> devicesByInstance(InstanceReads dao, List<InstanceViewRow> rows) {
    return rows.isEmpty() ? Map.of()
        : dao.devicesOf(rows.stream().map(InstanceViewRow::id).toList()).stream()
            .collect(Collectors.groupingBy(DeviceOfInstance::instanceId));
  }

  /** A device as a tenant sees it. */
  public record TenantDevice(String id, String instanceId, String instanceName, String type, String cardName,
      String profileName, String state) {}

  /** The domain XML as libvirt on the instance's host holds it now (Admin). */
  public Map<String, String> domainXml(Caller caller, String id) {
    InstanceView v = get(caller, id);
    if (v.hostName() == null) {
      throw ApiException.conflict("instance " + id + " is " + v.state() + " and on no host");
    }
    DomainXmlWorkflow wf = temporal.newWorkflowStub(DomainXmlWorkflow.class, WorkflowOptions.newBuilder()
        .setWorkflowId("domain-xml-" + id + "-" + UUID.randomUUID())
        .setTaskQueue(InventoryActivities.CONTROL_PLANE_QUEUE)
        .setWorkflowExecutionTimeout(Duration.ofSeconds(30))
        .build());
    WorkflowClient.start(wf::read, v.hostName(), v.vmName());
    try {
      String xml = WorkflowStub.fromTyped(wf).getResult(30, TimeUnit.SECONDS, String.class);
      if (xml == null) {
        throw ApiException.notFound("no libvirt domain " + v.vmName() + " on host " + v.hostName());
      }
      return Map.of("hostName", v.hostName(), "vmName", v.vmName(), "xml", xml);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new ApiException(504, "host " + v.hostName() + " did not answer in 30 s");
    }
  }

  static InstanceView toView(InstanceViewRow r, List<DeviceOfInstance> devices, boolean admin) {
    String cards = io.gpucloud.service.tenancy.OfferingView.gpuCards(r.gpuCount(), r.cardName(), r.profileName());
    List<InstanceView.Device> devs = devices.stream()
        .map(d -> new InstanceView.Device(d.id(), d.type(), d.cardName(), d.profileName(),
            admin ? d.busAddress() : null, admin ? d.numaNode() : null, d.state()))
        .toList();
    return new InstanceView(r.id(), r.name(), r.vmName(), r.state(),
        io.gpucloud.service.common.HookReasons.forCaller(r.errorReason(), admin), r.accountId(),
        r.accountName(), r.projectId(), r.offeringId(), r.offeringName(), r.templateId(), r.cpuCores(), r.cpuMhz(),
        r.memoryMb(), r.gpuCount(), r.cardName(), r.profileName(), cards, r.workflowId(),
        Iso.of(r.createdAt()), admin ? r.hostId() : null,
        admin ? r.hostName() : null, devs);
  }

}
