package io.gpucloud.controlplane.queue;

import java.util.Comparator;
import java.util.List;

/**
 * What is admitted at once: one request, or every member of a gang. It takes the priority and request
 * time of its first member (a batch's members share both).
 */
public record AdmissionUnit(List<Waiter> members) {
  public AdmissionUnit {
    members = members.stream().sorted(Comparator.comparing(Waiter::instanceId)).toList();
  }

  /** The units of a pool's waiters: each gang's queued members together, every other request alone. */
  public static List<AdmissionUnit> of(List<Waiter> waiters) {
    List<AdmissionUnit> out = new java.util.ArrayList<>();
    java.util.Map<String, List<Waiter>> gangs = new java.util.LinkedHashMap<>();
    for (Waiter w : waiters) {
      if (w.gang() && w.batchId() != null) {
        gangs.computeIfAbsent(w.batchId(), b -> new java.util.ArrayList<>()).add(w);
      } else {
        out.add(new AdmissionUnit(List.of(w)));
      }
    }
    gangs.values().forEach(g -> out.add(new AdmissionUnit(g)));
    return out;
  }

  public Waiter first() {
    return members.get(0);
  }

  public String accountId() {
    return first().accountId();
  }

  public int priority() {
    return first().priority();
  }

  public long requestedAtMicros() {
    return members.stream().mapToLong(Waiter::requestedAtMicros).min().orElseThrow();
  }

  public boolean gang() {
    return first().gang();
  }

  /** GPUs of one member (a gang's members share an offering). */
  public int gpusEach() {
    return first().gpuCount();
  }

  public int gpus() {
    return members.stream().mapToInt(Waiter::gpuCount).sum();
  }

  /** A stable key: the batch of a gang, else the instance. */
  public String key() {
    return gang() ? first().batchId() : first().instanceId();
  }
}
