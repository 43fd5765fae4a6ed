package io.gpucloud.activities.instance;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;
import java.util.List;

/**
 * Control-plane steps of the operations on an existing instance (task queue control-plane, run as
 * local activities like the deploy's). Each is one MariaDB transaction and safe to repeat: state
 * changes are conditional updates, and a repeat after the change changes nothing. Every state change
 * is stored with its exact time (instance_state_changes) and writes an event.
 */
@ActivityInterface
public interface LifecycleActivities {
  /**
   * The instance as its host needs it: its host (null hostName when on none), the devices it holds
   * there (empty when they were released at stop), CPU, RAM, display and template.
   */
  @ActivityMethod(name = "DescribeInstance")
  InstanceSpec describe(String instanceId);

  /**
   * Where the instance is: the id of its host ({@code hostId} null when on none) and the same spec
   * as {@link #describe}. The workflows that need the host's id (migration's source, start's
   * preferred host) call this instead of describe.
   */
  @ActivityMethod(name = "LocateInstance")
  Reservation locate(String instanceId);

  /**
   * What the API does before it starts an operation's workflow, for the operations a workflow
   * begins itself (host maintenance's stop, migrate and start children). In one transaction: the
   * instance moves with one conditional update from any state of {@code request.operation().from()}
   * to the operation's transitional state, its operation counter goes up by one, and the request's
   * event is written (Scheduled, by {@code request.userId()}; null: the system). {@code
   * request.previousState()} is ignored. Returns the workflow id
   * ({@code operation.workflowId(instanceId, n)}), the request with {@code previousState} set to the
   * state the instance left, and the account's name. Fails with {@link
   * InstanceActivities#INVALID_STATE} (not retried) when the instance is in none of those states:
   * the message names the current state, and the failure's details hold it ({@code
   * ApplicationFailure.newNonRetryableFailure(message, INVALID_STATE, currentState)}). A repeat with
   * the same {@code idempotencyKey} returns the first call's result and changes nothing (a local
   * activity may run again after a worker crash).
   */
  @ActivityMethod(name = "BeginOperation")
  BegunOperation beginOperation(OperationRequest request, String idempotencyKey);

  /** The effective gpu.detach.on.stop for the instance: its domain's, else the nearest ancestor's, else global. */
  @ActivityMethod(name = "DetachOnStop")
  boolean detachOnStop(String instanceId);

  /**
   * Gives the instance's devices back: Free (an Error device stays Error), vGPU parents re-derived,
   * and its GPUs no longer count against its limits. The instance keeps its host and its other
   * quota (instance, CPU, memory) while it exists.
   */
  @ActivityMethod(name = "ReleaseDevices")
  void releaseDevices(String instanceId);

  /**
   * Reserves devices again for an instance that gave them back (state Starting), through the same
   * placement as deploy (limits counted again), trying {@code preferredHostId} first and leaving out
   * {@code excludedHostIds}. {@link Reservation#none()} when no host has room. With the devices still
   * held, returns the reservation on its current host unchanged.
   */
  @ActivityMethod(name = "ReserveForStart")
  Reservation reserveForStart(String instanceId, String preferredHostId, List<String> excludedHostIds);

  /**
   * Reserves the instance's devices (same profile and count) on the migration target (state
   * Migrating): {@code targetHostId}, or the best host other than its own when null.
   * {@link Reservation#none()} when the target cannot take it; the instance counts once against
   * its limits throughout.
   */
  @ActivityMethod(name = "ReserveForMigration")
  Reservation reserveForMigration(String instanceId, String targetHostId);

  /**
   * The instance now lives on {@code targetHostId}: its target devices Allocated, its source devices
   * released, its host changed. A repeat changes nothing.
   */
  @ActivityMethod(name = "CompleteMigration")
  void completeMigration(String instanceId, String sourceHostId, String targetHostId);

  /**
   * Undo of reserveForMigration or reserveForStart on {@code hostId}: what the instance holds there
   * goes back to Free and its GPU quota is released, unless the instance lives on that host.
   */
  @ActivityMethod(name = "ReleaseOnHost")
  void releaseOnHost(String instanceId, String hostId);

  /**
   * Applies an offering to a Scaling instance: CPU, memory, GPU profile and count; limits checked
   * on the difference (fails with {@link InstanceActivities#LIMIT_EXCEEDED}); devices that no longer
   * fit released, so that the next start reserves what the offering needs.
   */
  @ActivityMethod(name = "ApplyOffering")
  void applyOffering(String instanceId, String offeringId);

  /** Reserved devices Allocated; the instance's transitional state to Running. */
  @ActivityMethod(name = "CommitRunning")
  void commitRunning(String instanceId, String hostId, String workflowId);

  /**
   * Ends an operation: the instance moves from the operation's transitional state to {@code to}
   * (a stable state) and the event is written (Completed, or Failed with {@code reason} when not
   * null). Nothing changes when the instance is no longer in the transitional state (a repeat).
   */
  @ActivityMethod(name = "FinishOperation")
  void finish(OperationRequest request, InstanceState to, String workflowId, String reason);

  /** Destroy's last step: every device freed, every quota unit released, host cleared, state Destroyed. */
  @ActivityMethod(name = "MarkDestroyed")
  void markDestroyed(String instanceId, String workflowId);

  /** Ids of the instances with GPUs on the host that are Running or Stopped (host maintenance). */
  @ActivityMethod(name = "GpuInstancesOnHost")
  List<String> gpuInstancesOnHost(String hostId);

  /** Sets the host's resource state (Enabled, Disabled, PrepareForMaintenance, Maintenance) and writes the event. */
  @ActivityMethod(name = "SetHostResourceState")
  void setHostResourceState(String hostId, String resourceState, String eventType, String workflowId);
}
