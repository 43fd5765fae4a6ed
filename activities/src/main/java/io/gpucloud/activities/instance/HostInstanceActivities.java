package io.gpucloud.activities.instance;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;

/**
 * Instance steps that run on the agent worker of the instance's host (task queue host-NAME).
 * Every method is idempotent: a retry after a crash repeats nothing that already happened.
 * A failing, hanging or invalid hook fails with a non-retryable ApplicationFailure of type
 * {@link #HOOK_FAILED} whose message carries the hook's stderr.
 */
@ActivityInterface
public interface HostInstanceActivities {
  String HOOK_FAILED = "HookFailed";
  String LIBVIRT_FAILED = "LibvirtFailed";

  /** Creates the mdevs the instance's MDEV devices need (where missing); checks PCI devices exist. */
  @ActivityMethod(name = "PrepareDevices")
  void prepareDevices(InstanceSpec spec);

  /** Undo of prepareDevices: removes the mdevs prepareDevices created for this instance. */
  @ActivityMethod(name = "ReleaseDevices")
  void releaseDevices(InstanceSpec spec);

  /**
   * Builds the domain XML, runs the XML transformer hook ({@code libvirt-vm-xml-transformer.sh
   * transform <xml>}, XML also on stdin; its stdout is the XML to use), and defines the domain.
   * Returns the XML libvirt holds afterwards.
   */
  @ActivityMethod(name = "DefineDomain")
  String defineDomain(InstanceSpec spec);

  /** Starts the domain (if not running) and runs {@code libvirt-vm-state-change.sh onStart <vm>}. */
  @ActivityMethod(name = "StartDomain")
  void startDomain(InstanceSpec spec);

  /** Undo of define/start: stops the domain if running (state hook onStop) and undefines it; missing is fine. */
  @ActivityMethod(name = "UndefineDomain")
  void undefineDomain(String vmName);

  /** The domain's current XML as libvirt reports it, or null when no such domain is defined. */
  @ActivityMethod(name = "GetDomainXml")
  String domainXml(String vmName);
}
