package io.gpucloud.controlplane.queue;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpucloud.controlplane.queue.Backfill.HostRoom;
import java.util.List;
import org.junit.jupiter.api.Test;

class BackfillTest {
  @Test
  void anEightGpuHeadKeepsTheHostClosestToFittingIt() {
    List<HostRoom> hosts = List.of(new HostRoom("a", 3, 8), new HostRoom("b", 5, 8), new HostRoom("small", 4, 4));
    assertThat(Backfill.claim(1, 8, hosts, List.of())).containsExactly("b");
  }

  @Test
  void theClaimStaysWhereItIsUntilAnotherHostIsStrictlyCloser() {
    assertThat(Backfill.claim(1, 8, List.of(new HostRoom("a", 3, 8), new HostRoom("b", 3, 8)), List.of("b")))
        .containsExactly("b");
    assertThat(Backfill.claim(1, 8, List.of(new HostRoom("a", 4, 8), new HostRoom("b", 3, 8)), List.of("b")))
        .containsExactly("a");
  }

  @Test
  void hostsThatCanNeverHoldTheHeadAreNotKept() {
    assertThat(Backfill.claim(1, 8, List.of(new HostRoom("small", 4, 4)), List.of())).isEmpty();
  }

  @Test
  void aGangKeepsHostsUntilTogetherTheyCouldHoldEveryMember() {
    // 4 members of 2 GPUs: c (6 free of 8: 4 members) is enough on its own... a gang of 6 needs more
    List<HostRoom> hosts = List.of(new HostRoom("a", 1, 4), new HostRoom("b", 2, 4), new HostRoom("c", 6, 8));
    assertThat(Backfill.claim(4, 2, hosts, List.of())).containsExactly("c");
    assertThat(Backfill.claim(6, 2, hosts, List.of())).containsExactly("c", "b");
    assertThat(Backfill.claim(9, 2, hosts, List.of())).containsExactly("c", "b", "a");
  }
}
