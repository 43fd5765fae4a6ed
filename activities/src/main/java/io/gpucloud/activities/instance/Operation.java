package io.gpucloud.activities.instance;

import java.util.Set;

/**
 * An operation on an existing instance: the event type it writes (CloudStack's names), the stable
 * states it may start from, its transitional state, and its workflow id prefix. Workflow ids are
 * {@code <prefix>-<instanceId>-<n>} with n the instance's operation counter, except destroy, which
 * happens once: {@code destroy-<instanceId>}.
 */
public enum Operation {
  STOP("VM.STOP", "stop", InstanceState.Stopping, Set.of(InstanceState.Running)),
  START("VM.START", "start", InstanceState.Starting, Set.of(InstanceState.Stopped)),
  REBOOT("VM.REBOOT", "reboot", InstanceState.Rebooting, Set.of(InstanceState.Running)),
  MIGRATE("VM.MIGRATE", "migrate", InstanceState.Migrating, Set.of(InstanceState.Stopped)),
  SCALE("VM.UPGRADE", "scale", InstanceState.Scaling, Set.of(InstanceState.Stopped)),
  DESTROY("VM.DESTROY", "destroy", InstanceState.Destroying,
      Set.of(InstanceState.Running, InstanceState.Stopped, InstanceState.Error));

  private final String eventType;
  private final String workflowPrefix;
  private final InstanceState transitional;
  private final Set<InstanceState> from;

  Operation(String eventType, String workflowPrefix, InstanceState transitional, Set<InstanceState> from) {
    this.eventType = eventType;
    this.workflowPrefix = workflowPrefix;
    this.transitional = transitional;
    this.from = from;
  }

  public String eventType() {
    return eventType;
  }

  public InstanceState transitional() {
    return transitional;
  }

  /** The stable states this operation may start from. */
  public Set<InstanceState> from() {
    return from;
  }

  /** The workflow id of this operation's n-th run on the instance. */
  public String workflowId(String instanceId, int n) {
    return this == DESTROY ? "destroy-" + instanceId : workflowPrefix + "-" + instanceId + "-" + n;
  }
}
