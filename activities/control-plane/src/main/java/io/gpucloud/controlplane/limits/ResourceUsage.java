package io.gpucloud.controlplane.limits;

/** One resource of one scope: effective limit (-1 unlimited), total in use, available (-1 unlimited). */
public record ResourceUsage(long limit, long total, long available) {

  public static ResourceUsage of(long limit, long total) {
    return new ResourceUsage(limit, total, LimitCheck.available(limit, total));
  }
}
