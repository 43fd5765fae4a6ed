package io.gpucloud.controlplane.usage;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.jdbi.v3.core.Jdbi;

/**
 * One test's corner of the shared test database: a domain, an account, a project, an offering, a
 * template, a GPU card with a profile, two hosts, and a day of its own far in the past (random, so
 * tests and repeated runs never share a period), on which it writes hand-made state histories.
 */
final class UsageFixture implements AutoCloseable {
  final Jdbi jdbi;
  final String tag = UUID.randomUUID().toString().substring(0, 8);
  /**
   * Days 3 apart (a fixture's instances are all destroyed by the end of its next day, see close), from a
   * random base per JVM: no two fixtures share a period, nor do runs on a database that is kept.
   */
  private static final LocalDate BASE = LocalDate.of(2001, 1, 1).plusDays(ThreadLocalRandom.current().nextInt(5000));
  private static final AtomicInteger NEXT = new AtomicInteger();
  final LocalDate day = BASE.plusDays(3L * NEXT.getAndIncrement());
  final String domainId = UUID.randomUUID().toString();
  final String domainPath = "/ROOT-" + tag + "/";
  final String accountId = UUID.randomUUID().toString();
  final String accountName = "acct-" + tag;
  final String projectId = UUID.randomUUID().toString();
  final String offeringId = UUID.randomUUID().toString();
  final String offeringName = "gpu-offering-" + tag;
  final String templateId = UUID.randomUUID().toString();
  final String templateName = "ubuntu-" + tag;
  final String cardId = UUID.randomUUID().toString();
  final String cardName = "Sim Pro " + tag;
  final String profileId = UUID.randomUUID().toString();
  final String profileName = "sim-8q-" + tag;
  final String hostA = UUID.randomUUID().toString();
  final String hostB = UUID.randomUUID().toString();
  private final List<String> instanceIds = new ArrayList<>();

  UsageFixture(Jdbi jdbi) {
    this.jdbi = jdbi;
    jdbi.useHandle(h -> {
      h.execute("INSERT INTO domains (id, name, parent_id, path) VALUES (?, ?, NULL, ?)", domainId, "ROOT-" + tag,
          domainPath);
      h.execute("INSERT INTO accounts (id, name, domain_id) VALUES (?, ?, ?)", accountId, accountName, domainId);
      h.execute("INSERT INTO projects (id, name, account_id, domain_id) VALUES (?, ?, ?, ?)", projectId, "p" + tag,
          accountId, domainId);
      h.execute("INSERT INTO gpu_cards (id, vendor_id, device_id, vendor_name, device_name, name) VALUES (?, ?, ?,"
          + " 'Sim', 'Sim Pro', ?)", cardId, tag.substring(0, 4), tag.substring(4, 8), cardName);
      h.execute("INSERT INTO vgpu_profiles (id, card_id, name) VALUES (?, ?, ?)", profileId, cardId, profileName);
      h.execute("INSERT INTO offerings (id, name, cpu_cores, cpu_mhz, memory_mb, vgpu_profile_id, gpu_count) VALUES"
          + " (?, ?, 2, 1000, 1024, ?, 2)", offeringId, offeringName, profileId);
      h.execute("INSERT INTO templates (id, name, os_type, root_disk_gb, image_path) VALUES (?, ?, 'Ubuntu', 10,"
          + " '/img')", templateId, templateName);
      for (String host : new String[] {hostA, hostB}) {
        h.execute("INSERT INTO hosts (id, name, hypervisor_uri, cpu_cores, cpu_mhz, memory_mb, state, resource_state)"
            + " VALUES (?, ?, 'test:///default', 64, 2000, 262144, 'Up', 'Enabled')", host, hostName(host));
      }
    });
  }

  String hostName(String hostId) {
    return (hostId.equals(hostA) ? "A-" : "B-") + tag;
  }

  /** hh:mm[:ss[.ffffff]] on the fixture's day, UTC. */
  Instant at(String time) {
    return day.atTime(LocalTime.parse(time)).toInstant(ZoneOffset.UTC);
  }

  /** A new instance (2 GPUs of the profile, the offering and template) named {@code name}; no history yet. */
  String instance(String name) {
    return instance(name, offeringId);
  }

  String instance(String name, String offering) {
    return instance(UUID.randomUUID().toString(), name, offering);
  }

  /** The fixture's n-th predictable id: they sort in n's order. */
  String id(int n) {
    return String.format("%s-0000-0000-0000-%012d", tag, n);
  }

  String instance(String id, String name, String offering) {
    instanceIds.add(id);
    int n = instanceIds.size();
    jdbi.useHandle(h -> {
      h.execute("INSERT INTO instances (id, name, vm_name, account_id, project_id, state, offering_id, template_id,"
          + " vgpu_profile_id, gpu_count) VALUES (?, ?, ?, ?, ?, 'Creating', ?, ?, ?, 2)", id, name,
          "i-" + tag + "-" + n, accountId, projectId, offering, templateId, profileId);
      // the trigger wrote the creation at the present time; the test writes its own history instead
      h.execute("DELETE FROM instance_state_changes WHERE instance_id = ?", id);
    });
    return id;
  }

  /** Appends a state change (in time order, as the triggers would) at {@code time} on the day. */
  UsageFixture change(String instanceId, String time, String state, String hostId) {
    return change(instanceId, at(time), state, hostId);
  }

  UsageFixture change(String instanceId, Instant t, String state, String hostId) {
    jdbi.useHandle(h -> {
      UsageGenerator.utc(h);
      h.execute("INSERT INTO instance_state_changes (instance_id, state, host_id, changed_at) VALUES (?, ?, ?, ?)",
          instanceId, state, hostId, UsageGenerator.sqlTime(t));
      h.execute("UPDATE instances SET state = ?, host_id = ? WHERE id = ?", state, hostId, instanceId);
      // the update's own trigger row is at the present time: only the hand-written one stays
      h.execute("DELETE FROM instance_state_changes WHERE instance_id = ? AND changed_at > ?", instanceId,
          UsageGenerator.sqlTime(t));
    });
    return this;
  }

  /**
   * Destroys the instances still alive at the end of the next day: an instance left running would
   * exist in every later test's periods (its history never ends).
   */
  @Override
  public void close() {
    Instant end = day.plusDays(2).atStartOfDay(ZoneOffset.UTC).toInstant();
    for (String id : instanceIds) {
      String state = jdbi.withHandle(h -> h.select("SELECT state FROM instances WHERE id = ?", id)
          .mapTo(String.class).one());
      if (!state.equals("Destroyed")) {
        change(id, end, "Destroyed", null);
      }
    }
  }
}
