package io.gpucloud.activities.instance;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;
import java.util.List;

/**
 * Instance steps that run on the agent worker of the instance's host (task queue host-NAME).
 * Every method is idempotent: a retry after a crash repeats nothing that already happened.
 * A failing, hanging or invalid hook fails with a non-retryable ApplicationFailure of type
 * {@link #HOOK_FAILED} whose message carries the hook's stderr.
 *
 * <p>Setting an instance up on a host is one activity, not one per step: each activity costs a
 * dispatch through the Temporal server and a workflow task afterwards, and the steps only make
 * sense together. Its result lists the steps it did, so the Temporal UI still shows them.
 */
@ActivityInterface
public interface HostInstanceActivities {
  String HOOK_FAILED = "HookFailed";
  String LIBVIRT_FAILED = "LibvirtFailed";

  /**
   * Prepares the devices (creates the mdevs MDEV devices need, where missing; checks PCI devices
   * exist), builds the domain XML, runs the XML transformer hook ({@code
   * libvirt-vm-xml-transformer.sh transform <xml>}, XML also on stdin; its stdout is the XML to
   * use), defines and starts the domain, and runs {@code libvirt-vm-state-change.sh onStart <vm>}.
   * Returns the steps done, in order.
   */
  @ActivityMethod(name = "SetUpDomain")
  List<String> setUpDomain(InstanceSpec spec);

  /**
   * Undo of setUpDomain, whatever part of it happened: stops the domain if running (state hook
   * onStop), undefines it (missing is fine), and removes the mdevs setUpDomain created.
   */
  @ActivityMethod(name = "TearDownDomain")
  void tearDownDomain(InstanceSpec spec);

  /**
   * Stops the domain: an ACPI shutdown, then, after {@code graceSeconds} (at once when
   * {@code force}), destroys it; runs {@code libvirt-vm-state-change.sh onStop <vm>}; undefines the
   * domain. Keeps the root disk and the mdevs. A domain that is not defined is fine (a repeat).
   */
  @ActivityMethod(name = "StopDomain")
  void stopDomain(InstanceSpec spec, boolean force, int graceSeconds);

  /** Reboots the running domain, with both state hooks (onStop, then onStart). */
  @ActivityMethod(name = "RebootDomain")
  void rebootDomain(InstanceSpec spec);

  /** Removes the mdevs the agent created for the instance (devices given back, or destroy). */
  @ActivityMethod(name = "RemoveMdevs")
  void removeMdevs(InstanceSpec spec);

  /** Deletes the instance's root disk (destroy). A disk that does not exist is fine. */
  @ActivityMethod(name = "DeleteRootDisk")
  void deleteRootDisk(InstanceSpec spec);

  /** The domain's current XML as libvirt reports it, or null when no such domain is defined. */
  @ActivityMethod(name = "GetDomainXml")
  String domainXml(String vmName);
}
