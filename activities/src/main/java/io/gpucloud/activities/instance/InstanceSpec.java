package io.gpucloud.activities.instance;

import java.util.List;

/**
 * Everything a host needs to build, define and start one instance's libvirt domain. The domain's
 * UUID is the instance id and its name is vmName, which makes every host step idempotent.
 */
public record InstanceSpec(
    String instanceId,
    String vmName,
    String hostName,
    int cpuCores,
    int cpuMhz,
    long memoryMb,
    boolean gpuDisplay,
    TemplateImage template,
    List<AssignedDevice> devices) {

  public InstanceSpec {
    devices = devices == null ? List.of() : List.copyOf(devices);
  }

  /** The NUMA node every GPU sits on, or -1 when they are spread or unknown (then nothing is pinned). */
  public int commonNumaNode() {
    if (devices.isEmpty()) {
      return -1;
    }
    int node = devices.get(0).numaNode();
    for (AssignedDevice d : devices) {
      if (d.numaNode() != node) {
        return -1;
      }
    }
    return node;
  }
}
