package io.gpucloud.activities;

/**
 * Workflow type names. The workflows module registers them; other processes start workflows by
 * these names (the agent starts HostRegistration without the workflow classes on its class path).
 */
public final class WorkflowTypes {
  public static final String DEPLOY = "Deploy";
  public static final String DISCOVERY = "Discovery";
  public static final String HOST_REGISTRATION = "HostRegistration";
  public static final String READ_DOMAIN_XML = "ReadDomainXml";
  public static final String STOP = "Stop";
  public static final String START = "Start";
  public static final String REBOOT = "Reboot";
  public static final String MIGRATE = "Migrate";
  public static final String SCALE = "Scale";
  public static final String DESTROY = "Destroy";
  public static final String MAINTENANCE = "Maintenance";
  public static final String USAGE = "Usage";
  public static final String USAGE_EXPORT = "UsageExport";
  public static final String BATCH = "Batch";

  private WorkflowTypes() {}
}
