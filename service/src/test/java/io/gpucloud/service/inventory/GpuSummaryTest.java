package io.gpucloud.service.inventory;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpucloud.activities.model.DeviceState;
import io.gpucloud.activities.model.ManagedState;
import io.gpucloud.service.inventory.db.SummaryRow;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class GpuSummaryTest {
  private static SummaryRow row(String card, String profile, DeviceState s, ManagedState m, String instance) {
    return new SummaryRow("id-" + card, card, "id-" + profile, profile, s, m, instance);
  }

  private static List<SummaryRow> n(int count, String card, String profile, DeviceState s, ManagedState m, String instance) {
    List<SummaryRow> rows = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      rows.add(row(card, profile, s, m, instance));
    }
    return rows;
  }

  /** The host "GPU Cards" tab of the reference talk: Basic 4/0/4/0, Pro 16/2/14/1, sim-8q 4/2/2/1 ... */
  @Test
  void referenceHost() {
    String pro = "ACS Simulated Graphics Card Pro";
    String basic = "ACS Simulated Graphics Card Basic";
    List<SummaryRow> rows = new ArrayList<>();
    rows.addAll(n(2, pro, "sim-8q", DeviceState.Allocated, ManagedState.Managed, "vm-1"));
    rows.addAll(n(2, pro, "sim-8q", DeviceState.Free, ManagedState.Managed, null));
    rows.addAll(n(4, pro, "sim-4q", DeviceState.Free, ManagedState.Managed, null));
    rows.addAll(n(8, pro, "sim-2q", DeviceState.Free, ManagedState.Managed, null));
    rows.addAll(n(4, basic, "passthrough", DeviceState.Free, ManagedState.Managed, null));

    List<GpuSummary.CardSummary> s = GpuSummary.compute(rows);

    assertThat(s).hasSize(2);
    GpuSummary.CardSummary b = s.get(0);
    assertThat(b.cardName()).isEqualTo(basic);
    assertThat(List.of(b.total(), b.allocated(), b.available(), b.instances())).containsExactly(4L, 0L, 4L, 0L);
    GpuSummary.CardSummary p = s.get(1);
    assertThat(List.of(p.total(), p.allocated(), p.available(), p.instances())).containsExactly(16L, 2L, 14L, 1L);
    assertThat(p.profiles()).extracting(GpuSummary.ProfileSummary::profileName).containsExactly("sim-2q", "sim-4q", "sim-8q");
    GpuSummary.ProfileSummary q8 = p.profiles().get(2);
    assertThat(q8.profileId()).isEqualTo("id-sim-8q");
    assertThat(List.of(q8.total(), q8.allocated(), q8.available(), q8.instances())).containsExactly(4L, 2L, 2L, 1L);
  }

  @Test
  void reservedCountsAsAllocatedAndUnmanagedOrErrorIsNotAvailable() {
    List<SummaryRow> rows = List.of(
        row("C", "p", DeviceState.Reserved, ManagedState.Managed, "vm-1"),
        row("C", "p", DeviceState.Allocated, ManagedState.Managed, "vm-2"),
        row("C", "p", DeviceState.Allocated, ManagedState.Managed, "vm-2"),
        row("C", "q", DeviceState.Allocated, ManagedState.Managed, "vm-2"),
        row("C", "p", DeviceState.Free, ManagedState.Unmanaged, null),
        row("C", "p", DeviceState.Error, ManagedState.Managed, null),
        row("C", "p", DeviceState.Free, ManagedState.Managed, null));
    GpuSummary.CardSummary c = GpuSummary.compute(rows).get(0);
    assertThat(List.of(c.total(), c.allocated(), c.available(), c.instances())).containsExactly(7L, 4L, 1L, 2L);
    GpuSummary.ProfileSummary p = c.profiles().get(0);
    assertThat(List.of(p.total(), p.allocated(), p.available(), p.instances())).containsExactly(6L, 3L, 1L, 2L);
    GpuSummary.ProfileSummary q = c.profiles().get(1);
    assertThat(List.of(q.total(), q.allocated(), q.available(), q.instances())).containsExactly(1L, 1L, 0L, 1L);
  }

  @Test
  void emptyHost() {
    assertThat(GpuSummary.compute(List.of())).isEmpty();
  }
}
