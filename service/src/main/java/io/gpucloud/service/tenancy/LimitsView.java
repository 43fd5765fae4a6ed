package io.gpucloud.service.tenancy;

import io.gpucloud.controlplane.limits.Resource;
import io.gpucloud.controlplane.limits.ResourceUsage;
import io.gpucloud.controlplane.limits.Usage;

/**
 * GET /api/v1/{accounts|domains|projects}/{id}/limits: per resource the effective limit (-1
 * unlimited), the total in use and what is available (-1 when unlimited). Memory is in MiB.
 */
public record LimitsView(
    long gpuLimit, long gpuTotal, long gpuAvailable,
    long instanceLimit, long instanceTotal, long instanceAvailable,
    long cpuLimit, long cpuTotal, long cpuAvailable,
    long memoryLimit, long memoryTotal, long memoryAvailable) {

  static LimitsView of(Usage u) {
    ResourceUsage g = u.get(Resource.GPU);
    ResourceUsage i = u.get(Resource.INSTANCE);
    ResourceUsage c = u.get(Resource.CPU);
    ResourceUsage m = u.get(Resource.MEMORY);
    return new LimitsView(
        g.limit(), g.total(), g.available(),
        i.limit(), i.total(), i.available(),
        c.limit(), c.total(), c.available(),
        m.limit(), m.total(), m.available());
  }
}
