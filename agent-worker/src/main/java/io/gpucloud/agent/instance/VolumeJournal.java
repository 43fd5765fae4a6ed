package io.gpucloud.agent.instance;

import org.libvirt.StoragePool;
import org.libvirt.StorageVol;

/**
 * Told about the root-disk volumes the agent creates and deletes, and asked to bring the pool up to date before the
 * agent looks a volume up. A real host needs none ({@link #NONE}): its pool is a directory (or NFS share) that
 * libvirt rescans on {@code virStoragePoolRefresh}. The libvirt test driver keeps volumes in the agent's memory
 * only, so a simulated host keeps them as files in the pool's directory ({@code io.gpucloud.agent.sim.SavedVolumes}):
 * they outlive the agent, and hosts that share the directory see each other's volumes, as hosts sharing an NFS
 * pool do.
 *
 * <p>Called under the root-disk lock, right after the libvirt call. A journal must not throw.
 */
public interface VolumeJournal {
  /** Nothing to keep: a real host. */
  VolumeJournal NONE = new VolumeJournal() {
    @Override
    public void refresh(StoragePool pool) {}

    @Override
    public void created(StorageVol volume) {}

    @Override
    public void deleted(String volumeName) {}
  };

  /** Before a lookup, after libvirt's own refresh: make the pool list what its storage holds now. */
  void refresh(StoragePool pool);

  /** The volume was created: keep it. */
  void created(StorageVol volume);

  /** The volume was deleted: forget it. */
  void deleted(String volumeName);
}
