package io.gpucloud.controlplane.limits;

/** A limited resource. MEMORY is counted in MiB. */
public enum Resource {
  GPU("gpus", "GPU"),
  INSTANCE("instances", "Instance"),
  CPU("cpus", "CPU"),
  MEMORY("memory", "Memory");

  private final String settingSuffix;
  private final String label;

  Resource(String settingSuffix, String label) {
    this.settingSuffix = settingSuffix;
    this.label = label;
  }

  /** The global default's setting name for a scope type, e.g. {@code max.account.gpus}. */
  public String settingKey(ScopeType scope) {
    return "max." + scope.key() + "." + settingSuffix;
  }

  /** How messages name the resource: "GPU", "Instance", "CPU", "Memory". */
  public String label() {
    return label;
  }

  /** The amount of this resource in a request. */
  public long of(ResourceRequest request) {
    return switch (this) {
      case GPU -> request.gpus();
      case INSTANCE -> request.instances();
      case CPU -> request.cpus();
      case MEMORY -> request.memoryMb();
    };
  }
}
