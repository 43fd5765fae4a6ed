package io.gpucloud.service.inventory;

import io.gpucloud.activities.model.DeviceState;
import io.gpucloud.activities.model.ManagedState;
import io.gpucloud.service.inventory.db.SummaryRow;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The host "GPU Cards" tab: per card and per profile, total (assignable devices, VGPU_ONLY parents
 * excluded by the caller), allocated (Reserved + Allocated), available (Free and Managed) and
 * instances (distinct holders).
 */
public final class GpuSummary {
  private GpuSummary() {}

  public record ProfileSummary(
      String profileId, String profileName, long total, long allocated, long available, long instances) {}

  public record CardSummary(
      String cardId,
      String cardName,
      long total,
      long allocated,
      long available,
      long instances,
      List<ProfileSummary> profiles) {}

  /** Rows must already exclude VGPU_ONLY devices. Cards and profiles are ordered by name. */
  public static List<CardSummary> compute(List<SummaryRow> rows) {
    Map<String, List<SummaryRow>> byCard = new LinkedHashMap<>();
    for (SummaryRow r : rows) {
      byCard.computeIfAbsent(r.cardId(), k -> new ArrayList<>()).add(r);
    }
    List<CardSummary> cards = new ArrayList<>();
    for (List<SummaryRow> cardRows : byCard.values()) {
      Map<String, List<SummaryRow>> byProfile = new LinkedHashMap<>();
      for (SummaryRow r : cardRows) {
        byProfile.computeIfAbsent(r.profileId(), k -> new ArrayList<>()).add(r);
      }
      List<ProfileSummary> profiles = new ArrayList<>();
      for (List<SummaryRow> pr : byProfile.values()) {
        Counts c = Counts.of(pr);
        profiles.add(
            new ProfileSummary(pr.get(0).profileId(), pr.get(0).profileName(), c.total, c.allocated, c.available, c.instances));
      }
      profiles.sort(
          Comparator.comparing(ProfileSummary::profileName, Comparator.nullsLast(Comparator.<String>naturalOrder()))
              .thenComparing(ProfileSummary::profileId, Comparator.nullsLast(Comparator.<String>naturalOrder())));
      Counts c = Counts.of(cardRows);
      SummaryRow first = cardRows.get(0);
      cards.add(
          new CardSummary(first.cardId(), first.cardName(), c.total, c.allocated, c.available, c.instances, List.copyOf(profiles)));
    }
    cards.sort(
        Comparator.comparing(CardSummary::cardName, Comparator.nullsLast(Comparator.<String>naturalOrder()))
            .thenComparing(CardSummary::cardId));
    return List.copyOf(cards);
  }

  private record Counts(long total, long allocated, long available, long instances) {
    static Counts of(List<SummaryRow> rows) {
      long allocated = 0;
      long available = 0;
      Set<String> instances = new HashSet<>();
      for (SummaryRow r : rows) {
        if (r.state() == DeviceState.Reserved || r.state() == DeviceState.Allocated) {
          allocated++;
        }
        if (r.state() == DeviceState.Free && r.managedState() == ManagedState.Managed) {
          available++;
        }
        if (r.instanceId() != null) {
          instances.add(r.instanceId());
        }
      }
      instances.remove(null);
      return new Counts(rows.size(), allocated, available, instances.size());
    }
  }

}
