package io.gpucloud.service.inventory;

import io.gpucloud.activities.model.ResourceState;
import io.gpucloud.activities.model.HostState;
import io.gpucloud.controlplane.events.Events;
import io.gpucloud.service.ApiException;
import io.gpucloud.service.auth.Caller;
import io.gpucloud.service.common.Causes;
import io.gpucloud.service.common.Checks;
import io.gpucloud.service.inventory.db.DeviceDao;
import io.gpucloud.service.inventory.db.HostDao;
import io.gpucloud.service.inventory.db.HostEventDao;
import io.gpucloud.service.inventory.db.HostRow;
import io.gpucloud.service.workflows.TemporalWorkflowStarts;
import io.gpucloud.service.workflows.WorkflowStarts;
import io.gpucloud.workflows.DiscoveryStarter;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowExecutionAlreadyStarted;
import io.temporal.client.WorkflowServiceException;
import java.util.List;
import java.util.Optional;
import java.util.function.BiFunction;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hosts: listing with GPU counts, enable/disable, GPU summary, events, discovery, maintenance (and
 * its cancellation), removal.
 */
public class HostService {
  private static final Logger LOG = LoggerFactory.getLogger(HostService.class);
  public static final String MAINTENANCE_PREPARE = "HOST.MAINTENANCE.PREPARE";
  public static final String MAINTENANCE_CANCEL = "HOST.MAINTENANCE.CANCEL";
  public static final String HOST_DELETE = "HOST.DELETE";
  public static final int DEFAULT_EVENT_LIMIT = 50;
  public static final int MAX_EVENT_LIMIT = 1000;

  private final Jdbi jdbi;
  private final BiFunction<WorkflowClient, String, String> discoveryStarter;
  private final WorkflowClient client;
  private final WorkflowStarts starts;

  public HostService(Jdbi jdbi, WorkflowClient client) {
    this(jdbi, client, DiscoveryStarter::start, new TemporalWorkflowStarts(client));
  }

  /** For tests: {@code discoveryStarter} replaces DiscoveryStarter.start. */
  public HostService(Jdbi jdbi, WorkflowClient client, BiFunction<WorkflowClient, String, String> discoveryStarter) {
    this(jdbi, client, discoveryStarter, new TemporalWorkflowStarts(client));
  }

  /** {@code starts}: how maintenance workflows are started (tests record them). */
  public HostService(Jdbi jdbi, WorkflowClient client, BiFunction<WorkflowClient, String, String> discoveryStarter,
      WorkflowStarts starts) {
    this.jdbi = jdbi;
    this.client = client;
    this.discoveryStarter = discoveryStarter;
    this.starts = starts;
  }

  public List<HostView> list(String state, String resourceState, String name) {
    HostState s = Checks.optionalEnum("state", state, HostState.class);
    ResourceState rs = Checks.optionalEnum("resourceState", resourceState, ResourceState.class);
    String n = Checks.optionalText("name", name, Checks.MAX_NAME);
    return jdbi.onDemand(HostDao.class)
        .list(s == null ? null : s.name(), rs == null ? null : rs.name(), n)
        .stream()
        .map(HostView::of)
        .toList();
  }

  public HostView get(String id) {
    return HostView.of(find(id));
  }

  private HostRow find(String id) {
    return jdbi.onDemand(HostDao.class).findById(id).orElseThrow(() -> notFound(id));
  }

  public HostView setEnabled(String id, boolean enabled) {
    ResourceState target = enabled ? ResourceState.Enabled : ResourceState.Disabled;
    HostDao dao = jdbi.onDemand(HostDao.class);
    if (dao.setResourceState(id, target.name()) == 0) {
      HostRow h = dao.findById(id).orElseThrow(() -> notFound(id));
      if (h.resourceState() != null && h.resourceState().maintenance()) {
        throw ApiException.conflict("host " + h.name() + " is in " + h.resourceState() + ": it cannot be "
            + (enabled ? "enabled" : "disabled") + " (cancel-maintenance returns it to Enabled)");
      }
      // else: already in the target state (the driver reported no changed row)
    }
    return get(id);
  }

  public List<GpuSummary.CardSummary> gpuSummary(String id) {
    find(id);
    return GpuSummary.compute(jdbi.onDemand(DeviceDao.class).summaryRows(id));
  }

  public List<HostEventView> events(String id, Integer limit) {
    int l = limit == null ? DEFAULT_EVENT_LIMIT : limit;
    if (l < 1 || l > MAX_EVENT_LIMIT) {
      throw ApiException.badRequest("limit must be between 1 and " + MAX_EVENT_LIMIT);
    }
    find(id);
    return jdbi.onDemand(HostEventDao.class).latest(id, l).stream().map(HostEventView::of).toList();
  }

  public DiscoveryStarted discover(String id) {
    HostRow h = find(id);
    String workflowId;
    try {
      workflowId = discoveryStarter.apply(client, h.name());
    } catch (WorkflowExecutionAlreadyStarted e) {
      throw ApiException.conflict("a discovery of host " + h.name() + " was just started; try again");
    } catch (WorkflowServiceException e) {
      throw new ApiException(503, "cannot start discovery of host " + h.name() + ": " + Causes.rootMessage(e));
    }
    return new DiscoveryStarted(workflowId, h.id(), h.name());
  }

  /**
   * Puts the host into maintenance: PrepareForMaintenance at once, in the transaction that records the
   * request (HOST.MAINTENANCE.PREPARE, Scheduled), so that no placement takes it from then on; then
   * starts the Maintenance workflow {@code maintenance-<hostName>-<n>}, n counting the maintenance
   * requests of hosts of that name. From Enabled or Disabled; 409 when already in (or preparing for)
   * maintenance.
   */
  public MaintenanceStarted maintenance(Caller caller, String id, MaintenanceRequest body) {
    String mode = body == null ? MaintenanceRequest.MIGRATE : body.mode();
    MaintenanceStarted started = jdbi.inTransaction(h -> {
      Locked host = lock(h, id);
      if (host.resourceState().maintenance()) {
        throw ApiException.conflict("host " + host.name() + " is already in " + host.resourceState());
      }
      String prefix = "maintenance-" + host.name() + "-";
      long n = h.createQuery("SELECT COUNT(*) FROM events WHERE type = :type AND state = :state"
              + " AND LEFT(workflow_id, CHAR_LENGTH(:prefix)) = :prefix")
          .bind("type", MAINTENANCE_PREPARE).bind("state", Events.SCHEDULED).bind("prefix", prefix)
          .mapTo(Long.class).one() + 1;
      String workflowId = prefix + n;
      setResourceState(h, id, ResourceState.PrepareForMaintenance);
      Events.record(h, new Events.Event(MAINTENANCE_PREPARE, Events.SCHEDULED, caller.userId(), null, null, id,
          workflowId, "maintenance of host " + host.name() + " (GPU instances: " + mode + "), was "
              + host.resourceState()));
      return new MaintenanceStarted(workflowId, id, host.name(), ResourceState.PrepareForMaintenance.name(), mode);
    });
    try {
      starts.maintenance(started.workflowId(), id, started.hostName(), mode);
    } catch (RuntimeException e) {
      LOG.error("could not start {}", started.workflowId(), e);
      throw new ApiException(503, "host " + started.hostName() + " is PrepareForMaintenance but its workflow "
          + started.workflowId() + " could not be started (" + Causes.rootMessage(e)
          + "); cancel-maintenance, then try again");
    }
    return started;
  }

  /**
   * Returns a host in (or preparing for) maintenance to Enabled (HOST.MAINTENANCE.CANCEL) and asks a
   * maintenance still running to stop. Instances that maintenance stopped stay Stopped.
   */
  public HostView cancelMaintenance(Caller caller, String id) {
    String[] running = new String[1];
    jdbi.useTransaction(h -> {
      Locked host = lock(h, id);
      if (!host.resourceState().maintenance()) {
        throw ApiException.conflict("host " + host.name() + " is " + host.resourceState()
            + "; cancel-maintenance needs PrepareForMaintenance or Maintenance");
      }
      Optional<String> workflowId = h.createQuery("SELECT workflow_id FROM events WHERE host_id = :id"
              + " AND type = :type AND state = :state ORDER BY created_at DESC LIMIT 1")
          .bind("id", id).bind("type", MAINTENANCE_PREPARE).bind("state", Events.SCHEDULED)
          .mapTo(String.class).findOne();
      setResourceState(h, id, ResourceState.Enabled);
      Events.record(h, new Events.Event(MAINTENANCE_CANCEL, Events.COMPLETED, caller.userId(), null, null, id,
          workflowId.orElse(null), "maintenance of host " + host.name() + " cancelled; it was "
              + host.resourceState()));
      if (host.resourceState() == ResourceState.PrepareForMaintenance) {
        running[0] = workflowId.orElse(null);
      }
    });
    if (running[0] != null) {
      try {
        starts.cancelMaintenance(running[0]);
      } catch (RuntimeException e) {
        LOG.warn("could not cancel {}: {}", running[0], Causes.rootMessage(e));
      }
    }
    return get(id);
  }

  /**
   * Removes a host that is in Maintenance or Disconnected and holds no instance (Destroyed ones aside)
   * and no device of one: its devices go; the events and past usage that name it stay. 409 with the
   * reason otherwise.
   */
  public void delete(Caller caller, String id) {
    jdbi.useTransaction(h -> {
      Locked host = lock(h, id);
      if (host.resourceState() != ResourceState.Maintenance && !"Disconnected".equals(host.state())) {
        throw ApiException.conflict("host " + host.name() + " is " + host.state() + " and " + host.resourceState()
            + "; a host is removed only in Maintenance or when Disconnected");
      }
      List<String> instances = h.createQuery("SELECT CONCAT(name, ' (', state, ')') FROM instances"
              + " WHERE host_id = :id AND state <> 'Destroyed' ORDER BY name LIMIT 6")
          .bind("id", id).mapTo(String.class).list();
      if (!instances.isEmpty()) {
        throw ApiException.conflict("host " + host.name() + " still holds instances: "
            + String.join(", ", instances.subList(0, Math.min(5, instances.size())))
            + (instances.size() > 5 ? ", ..." : ""));
      }
      long held = h.createQuery("SELECT COUNT(*) FROM gpu_devices d JOIN instances i ON i.id = d.instance_id"
              + " WHERE d.host_id = :id AND i.state <> 'Destroyed'")
          .bind("id", id).mapTo(Long.class).one();
      if (held > 0) {
        throw ApiException.conflict("host " + host.name() + " has " + held + " device" + (held == 1 ? "" : "s")
            + " held by instances of other hosts (a migration or start in progress)");
      }
      h.createUpdate("UPDATE gpu_devices SET parent_device_id = NULL WHERE host_id = :id").bind("id", id).execute();
      int devices = h.createUpdate("DELETE FROM gpu_devices WHERE host_id = :id").bind("id", id).execute();
      h.createUpdate("DELETE FROM hosts WHERE id = :id").bind("id", id).execute();
      Events.record(h, new Events.Event(HOST_DELETE, Events.COMPLETED, caller.userId(), null, null, id, null,
          "host " + host.name() + " removed with its " + devices + " device" + (devices == 1 ? "" : "s")));
    });
  }

  /** The columns a host's maintenance and removal check, read under the row lock. */
  private record Locked(String name, String state, ResourceState resourceState) {}

  private static Locked lock(Handle h, String id) {
    return h.createQuery("SELECT name, state, resource_state FROM hosts WHERE id = :id FOR UPDATE").bind("id", id)
        .map((rs, ctx) -> new Locked(rs.getString("name"), rs.getString("state"),
            ResourceState.valueOf(rs.getString("resource_state"))))
        .findOne().orElseThrow(() -> notFound(id));
  }

  private static void setResourceState(Handle h, String id, ResourceState state) {
    h.createUpdate("UPDATE hosts SET resource_state = :state WHERE id = :id").bind("state", state.name())
        .bind("id", id).execute();
  }

  static ApiException notFound(String id) {
    return ApiException.notFound("host " + id + " not found");
  }
}
