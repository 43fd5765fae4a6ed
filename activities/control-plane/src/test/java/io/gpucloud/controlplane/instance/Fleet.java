package io.gpucloud.controlplane.instance;

import io.gpucloud.activities.instance.Reservation;
import io.gpucloud.controlplane.events.Events;
import io.gpucloud.controlplane.limits.Limits;
import io.gpucloud.controlplane.limits.Resource;
import io.gpucloud.controlplane.limits.ScopeType;
import java.util.List;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;

/**
 * One test's own corner of the shared test database: a root domain, a domain and an account under it,
 * a GPU card with one profile, and the hosts and instances the test adds. Everything is named with a
 * fresh tag, and every device is of this fleet's profile, so the plans of one test never see another's.
 */
final class Fleet {
  final Jdbi jdbi;
  final String tag = UUID.randomUUID().toString().substring(0, 8);
  final String rootDomainId = UUID.randomUUID().toString();
  final String domainId = UUID.randomUUID().toString();
  final String accountId = UUID.randomUUID().toString();
  final String userId = UUID.randomUUID().toString();
  final String cardId = UUID.randomUUID().toString();
  final String profileId = UUID.randomUUID().toString();
  final String profileName;
  private int instances;

  Fleet(Jdbi jdbi) {
    this.jdbi = jdbi;
    this.profileName = "sim-8q-" + tag;
    jdbi.useHandle(h -> {
      h.execute("INSERT INTO domains (id, name, parent_id, path) VALUES (?, ?, NULL, ?)", rootDomainId, "R" + tag,
          "/R" + tag + "/");
      h.execute("INSERT INTO domains (id, name, parent_id, path) VALUES (?, ?, ?, ?)", domainId, "d" + tag,
          rootDomainId, "/R" + tag + "/d" + tag + "/");
      h.execute("INSERT INTO accounts (id, name, domain_id) VALUES (?, ?, ?)", accountId, "a" + tag, domainId);
      h.execute("INSERT INTO users (id, name, account_id, role) VALUES (?, ?, ?, 'User')", userId, "u" + tag, accountId);
      h.execute("INSERT INTO gpu_cards (id, vendor_id, device_id, vendor_name, device_name, name) VALUES (?, ?, ?,"
          + " 'Sim', 'Sim Pro', ?)", cardId, tag.substring(0, 4), tag.substring(4, 8), "Sim Pro " + tag);
      h.execute("INSERT INTO vgpu_profiles (id, card_id, name, max_vgpus_per_gpu) VALUES (?, ?, ?, 1)", profileId,
          cardId, profileName);
    });
  }

  /** An Up, Enabled host with {@code devices} Free passthrough devices of the profile (64 cores x 2000 MHz, 256 GB). */
  String host(String name, int devices) {
    String id = UUID.randomUUID().toString();
    jdbi.useHandle(h -> {
      h.execute("INSERT INTO hosts (id, name, hypervisor_uri, cpu_cores, cpu_mhz, memory_mb, state, resource_state)"
          + " VALUES (?, ?, 'test:///default', 64, 2000, 262144, 'Up', 'Enabled')", id, name(name));
      for (int d = 0; d < devices; d++) {
        h.execute("INSERT INTO gpu_devices (id, host_id, bus_address, type, card_id, profile_id, numa_node, pci_root)"
            + " VALUES (?, ?, ?, 'PCI', ?, ?, 0, 'pci0000:00')", UUID.randomUUID().toString(), id,
            String.format("0000:%02x:00.0", d + 1), cardId, profileId);
      }
    });
    return id;
  }

  String name(String hostName) {
    return hostName + "-" + tag;
  }

  /** A new instance (Creating) of {@code gpus} devices of the profile, 2 cores x 1000 MHz, 1024 MB. */
  String instance(int gpus) {
    String id = UUID.randomUUID().toString();
    int n = ++instances;
    jdbi.useHandle(h -> h.execute("INSERT INTO instances (id, name, vm_name, account_id, user_id, state,"
            + " vgpu_profile_id, gpu_count, cpu_cores, cpu_mhz, memory_mb) VALUES (?, ?, ?, ?, ?, 'Creating', ?, ?, 2,"
            + " 1000, 1024)", id, "vm" + n, "i-" + tag + "-" + n, accountId, userId, gpus == 0 ? null : profileId, gpus));
    return id;
  }

  /** An instance deployed through the deploy's own steps (reserve, commit): Running. */
  String running(InstanceActivitiesImpl deploy, int gpus, String... excludedHosts) {
    String id = instance(gpus);
    Reservation r = deploy.reserve(id, List.of(excludedHosts));
    if (!r.reserved()) {
      throw new AssertionError("no room for a " + gpus + "-GPU instance");
    }
    deploy.commit(id, r.hostId());
    return id;
  }

  /** What the API does when an operation is requested: the conditional move, the counter, the Scheduled event. */
  void request(String instanceId, String from, String to, String eventType, String workflowId) {
    jdbi.useTransaction(h -> {
      int n = h.createUpdate("UPDATE instances SET state = :to, op_seq = op_seq + 1 WHERE id = :id AND state = :from")
          .bind("to", to).bind("id", instanceId).bind("from", from).execute();
      if (n != 1) {
        throw new AssertionError("instance " + instanceId + " is " + state(instanceId) + ", not " + from);
      }
      Events.record(h, new Events.Event(eventType, Events.SCHEDULED, userId, accountId, instanceId, hostOf(instanceId),
          workflowId, "requested"));
    });
  }

  void setState(String instanceId, String state) {
    jdbi.useHandle(h -> h.execute("UPDATE instances SET state = ? WHERE id = ?", state, instanceId));
  }

  String state(String instanceId) {
    return jdbi.withHandle(h -> h.select("SELECT state FROM instances WHERE id = ?", instanceId).mapTo(String.class).one());
  }

  String hostOf(String instanceId) {
    return jdbi.withHandle(h -> h.select("SELECT host_id FROM instances WHERE id = ?", instanceId)
        .mapTo(String.class).findOne().orElse(null));
  }

  boolean gpusReleased(String instanceId) {
    return jdbi.withHandle(h -> h.select("SELECT gpus_released FROM instances WHERE id = ?", instanceId)
        .mapTo(Boolean.class).one());
  }

  boolean quotaCounted(String instanceId) {
    return jdbi.withHandle(h -> h.select("SELECT quota_counted FROM instances WHERE id = ?", instanceId)
        .mapTo(Boolean.class).one());
  }

  /** "host:state" of each device the instance holds, sorted. */
  List<String> devicesOf(String instanceId) {
    return jdbi.withHandle(h -> h.select("SELECT CONCAT(host_id, ':', state) FROM gpu_devices WHERE instance_id = ?"
        + " ORDER BY 1", instanceId).mapTo(String.class).list());
  }

  int free(String hostId) {
    return jdbi.withHandle(h -> h.select("SELECT COUNT(*) FROM gpu_devices WHERE host_id = ? AND state = 'Free'"
        + " AND instance_id IS NULL", hostId).mapTo(Integer.class).one());
  }

  void setResourceState(String hostId, String resourceState) {
    jdbi.useHandle(h -> h.execute("UPDATE hosts SET resource_state = ? WHERE id = ?", resourceState, hostId));
  }

  void setHostState(String hostId, String state) {
    jdbi.useHandle(h -> h.execute("UPDATE hosts SET state = ? WHERE id = ?", state, hostId));
  }

  void limitAccount(Resource resource, long max) {
    jdbi.useHandle(h -> new Limits().setOverride(h, ScopeType.ACCOUNT, accountId, resource, max));
  }

  /** The account's usage of a resource, as the limits count it. */
  long used(Resource resource) {
    return jdbi.withHandle(h -> new Limits().usage(h, ScopeType.ACCOUNT, accountId).get(resource).total());
  }

  long domainUsed(Resource resource) {
    return jdbi.withHandle(h -> new Limits().usage(h, ScopeType.DOMAIN, domainId).get(resource).total());
  }

  /** "type state" of the instance's events written after the Scheduled ones, oldest first. */
  List<String> events(String instanceId) {
    return jdbi.withHandle(h -> h.select("SELECT CONCAT(type, ' ', state) FROM events WHERE instance_id = ?"
        + " ORDER BY created_at, id", instanceId).mapTo(String.class).list());
  }
}
