package io.gpucloud.controlplane.instance;

/**
 * How strictly an instance's GPUs must share a NUMA node (per offering). required: one node or no
 * placement on that host; preferred: one node when the host can, else spread; none: no preference.
 */
public enum NumaPolicy {
  required,
  preferred,
  none
}
