package io.gpucloud.agent.instance;

import io.gpucloud.agent.domain.HostTopology;
import java.util.Objects;

/**
 * What the instance steps of a host need besides libvirt, hooks and the state directory.
 *
 * @param storagePool the libvirt storage pool of the root disks (agent option {@code --storage-pool}, default
 *     {@value #DEFAULT_POOL})
 * @param volumes told about the root-disk volumes ({@link VolumeJournal#NONE} on a real host)
 * @param topology the host's CPUs per NUMA node; null: read from libvirt's capabilities (a real host). A simulated
 *     host gives its spec's, because the test driver reports no NUMA cells for a document it reads from a file.
 */
public record HostConfig(String storagePool, VolumeJournal volumes, HostTopology topology) {
  public static final String DEFAULT_POOL = "default";

  public HostConfig {
    storagePool = storagePool == null || storagePool.isBlank() ? DEFAULT_POOL : storagePool;
    volumes = Objects.requireNonNullElse(volumes, VolumeJournal.NONE);
  }

  /** A real host's defaults: pool {@value #DEFAULT_POOL}, topology from libvirt. */
  public static HostConfig defaults() {
    return new HostConfig(DEFAULT_POOL, VolumeJournal.NONE, null);
  }
}
