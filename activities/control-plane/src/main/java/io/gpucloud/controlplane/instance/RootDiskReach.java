package io.gpucloud.controlplane.instance;

import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;

/**
 * Which hosts can reach an instance's root disk: its own host, and the hosts on the same shared
 * storage pool (hosts.storage_pool / storage_shared, as the agents report them). Nothing is copied
 * between host-local pools, so a cold migration or a start elsewhere is only offered where the disk
 * is; an instance that has never been on a host has no disk yet and may go anywhere.
 */
final class RootDiskReach {
  private RootDiskReach() {}

  private record Source(String hostName, String pool, boolean shared) {}

  private static Optional<Source> source(Handle h, String instanceId) {
    return h.createQuery("SELECT s.name, s.storage_pool, s.storage_shared FROM instances i JOIN hosts s"
            + " ON s.id = i.host_id WHERE i.id = :id")
        .bind("id", instanceId)
        .map((rs, ctx) -> new Source(rs.getString(1), rs.getString(2), rs.getBoolean(3)))
        .findOne();
  }

  /**
   * Why {@code targetHostId} (null: any other host) cannot reach the instance's disk, or null when it
   * can (or the instance has no disk yet).
   */
  static String whyUnreachable(Handle h, String instanceId, String targetHostId) {
    Optional<Source> src = source(h, instanceId);
    if (src.isEmpty()) {
      return null;
    }
    Source s = src.get();
    if (!s.shared()) {
      return "the instance's disk is on host-local storage (pool " + s.pool() + " of host " + s.hostName()
          + "), which no other host reaches";
    }
    if (targetHostId == null) {
      return null;
    }
    record Target(String name, String pool, boolean shared) {}
    Optional<Target> t = h.createQuery("SELECT name, storage_pool, storage_shared FROM hosts WHERE id = :id")
        .bind("id", targetHostId).map((rs, ctx) -> new Target(rs.getString(1), rs.getString(2), rs.getBoolean(3)))
        .findOne();
    if (t.isEmpty() || (t.get().shared() && java.util.Objects.equals(s.pool(), t.get().pool()))) {
      return null;
    }
    return "host " + t.get().name() + " is not on the instance's shared storage pool " + s.pool();
  }

  /** The hosts other than its own that cannot reach the instance's disk (none when it has no disk yet). */
  static List<String> hostsWithout(Handle h, String instanceId) {
    return h.createQuery("SELECT t.id FROM instances i JOIN hosts s ON s.id = i.host_id JOIN hosts t ON t.id <> s.id"
            + " WHERE i.id = :id AND NOT (s.storage_shared = 1 AND t.storage_shared = 1"
            + " AND t.storage_pool <=> s.storage_pool)")
        .bind("id", instanceId).mapTo(String.class).list();
  }
}
