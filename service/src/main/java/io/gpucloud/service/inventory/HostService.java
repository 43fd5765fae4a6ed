package io.gpucloud.service.inventory;

import io.gpucloud.activities.model.HostState;
import io.gpucloud.activities.model.ResourceState;
import io.gpucloud.service.ApiException;
import io.gpucloud.service.common.Causes;
import io.gpucloud.service.common.Checks;
import io.gpucloud.service.inventory.db.DeviceDao;
import io.gpucloud.service.inventory.db.HostDao;
import io.gpucloud.service.inventory.db.HostEventDao;
import io.gpucloud.service.inventory.db.HostRow;
import io.gpucloud.workflows.DiscoveryStarter;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowExecutionAlreadyStarted;
import io.temporal.client.WorkflowServiceException;
import java.util.List;
import java.util.function.BiFunction;
import org.jdbi.v3.core.Jdbi;

/** Hosts: listing with GPU counts, enable/disable, GPU summary, events, discovery. */
public class HostService {
  public static final int DEFAULT_EVENT_LIMIT = 50;
  public static final int MAX_EVENT_LIMIT = 1000;

  private final Jdbi jdbi;
  private final BiFunction<WorkflowClient, String, String> discoveryStarter;
  private final WorkflowClient client;

  public HostService(Jdbi jdbi, WorkflowClient client) {
    this(jdbi, client, DiscoveryStarter::start);
  }

  /** For tests: {@code discoveryStarter} replaces DiscoveryStarter.start. */
  public HostService(Jdbi jdbi, WorkflowClient client, BiFunction<WorkflowClient, String, String> discoveryStarter) {
    this.jdbi = jdbi;
    this.client = client;
    this.discoveryStarter = discoveryStarter;
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
      if (h.resourceState() == ResourceState.Maintenance) {
        throw ApiException.conflict(
            "host " + h.name() + " is in Maintenance: it cannot be " + (enabled ? "enabled" : "disabled"));
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

  static ApiException notFound(String id) {
    return ApiException.notFound("host " + id + " not found");
  }
}
