package io.gpucloud.controlplane.queue;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * No starvation of large requests. When the head of a pool (the first unit in admission order) cannot be
 * placed, the free devices on the hosts it is waiting for are kept for it: units behind it may only
 * backfill onto the other hosts, whose capacity cannot shorten the head's wait.
 *
 * <p>Which hosts: for one instance needing k GPUs, the single host that can ever hold it (k or more
 * devices of the profile) with the most free devices now, i.e. the one closest to fitting it. The claim
 * is sticky: it moves only to a host strictly closer, so the head's free count on its host only grows
 * (devices freed there are never handed to a smaller request) and it is placed once that host has k free.
 * For a gang of m members of k GPUs: hosts in that order (most free first, the previous claim first on
 * ties) until together they could hold all m members when empty.
 */
public final class Backfill {
  /** A host's devices of the head's profile: free now, and all it has (free or not). */
  public record HostRoom(String hostId, int free, int total) {}

  private Backfill() {}

  /** The hosts to keep for the head; empty when no host can ever hold it (nothing is worth keeping). */
  public static List<String> claim(int members, int gpusEach, List<HostRoom> hosts, List<String> previous) {
    Comparator<HostRoom> closest = Comparator.comparingInt(HostRoom::free).reversed()
        .thenComparing(r -> previous.contains(r.hostId()) ? 0 : 1)
        .thenComparing(HostRoom::hostId);
    List<HostRoom> candidates = hosts.stream().filter(r -> r.total() >= gpusEach).sorted(closest).toList();
    if (candidates.isEmpty()) {
      return List.of();
    }
    if (members <= 1) {
      return List.of(candidates.get(0).hostId());
    }
    List<String> out = new ArrayList<>();
    int couldHold = 0;
    for (HostRoom r : candidates) {
      out.add(r.hostId());
      couldHold += r.total() / Math.max(1, gpusEach);
      if (couldHold >= members) {
        break;
      }
    }
    return out;
  }
}
