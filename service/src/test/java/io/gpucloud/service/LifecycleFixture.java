package io.gpucloud.service;

import io.gpucloud.service.auth.AdminBootstrap;
import io.gpucloud.service.auth.Caller;
import io.gpucloud.service.auth.Role;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;

/**
 * Rows for the lifecycle's database tests, written straight into the test database: domains under
 * ROOT (names may hold '_'), accounts, callers, hosts with free devices of one profile, offerings and
 * instances in any state. Names carry a random suffix, so tests repeat on a database that outlives
 * one run.
 */
public final class LifecycleFixture {
  public final Jdbi jdbi = TestDatabase.jdbi();
  public final Caller admin = TestDatabase.admin();
  public final String sfx = UUID.randomUUID().toString().substring(0, 8);
  public final String cardId = UUID.randomUUID().toString();
  public final String profileId = UUID.randomUUID().toString();
  public final String gpuOfferingId = UUID.randomUUID().toString();
  public final String plainOfferingId = UUID.randomUUID().toString();
  public final String templateId = UUID.randomUUID().toString();

  public LifecycleFixture() {
    jdbi.useHandle(h -> {
      h.execute("INSERT INTO gpu_cards (id, vendor_id, device_id, vendor_name, device_name, name)"
          + " VALUES (?, ?, ?, 'V', 'D', ?)", cardId, cardId.substring(0, 4), cardId.substring(4, 8), "card " + sfx);
      h.execute("INSERT INTO vgpu_profiles (id, card_id, name) VALUES (?, ?, 'sim-8q')", profileId, cardId);
      h.execute("INSERT INTO offerings (id, name, cpu_cores, cpu_mhz, memory_mb, vgpu_profile_id, gpu_count)"
          + " VALUES (?, ?, 2, 1000, 1024, ?, 1)", gpuOfferingId, "gpu " + sfx, profileId);
      h.execute("INSERT INTO offerings (id, name, cpu_cores, cpu_mhz, memory_mb) VALUES (?, ?, 1, 1000, 512)",
          plainOfferingId, "plain " + sfx);
      h.execute("INSERT INTO templates (id, name, os_type, root_disk_gb, image_path) VALUES (?, ?, 'linux', 1, '/x')",
          templateId, "t " + sfx);
    });
  }

  public static String uniq(String p) {
    return p + UUID.randomUUID().toString().substring(0, 8);
  }

  /** A domain right under {@code parentId} (ROOT when null) named {@code name + sfx}; its id. */
  public String domain(String name, String parentId) {
    String id = UUID.randomUUID().toString();
    String parent = parentId == null ? AdminBootstrap.ROOT_DOMAIN_ID : parentId;
    jdbi.useHandle(h -> {
      String parentPath = h.createQuery("SELECT path FROM domains WHERE id = :id").bind("id", parent)
          .mapTo(String.class).one();
      h.execute("INSERT INTO domains (id, name, parent_id, path) VALUES (?, ?, ?, ?)", id, name + sfx, parent,
          parentPath + name + sfx + "/");
    });
    return id;
  }

  public String account(String domainId) {
    String id = UUID.randomUUID().toString();
    jdbi.useHandle(h -> h.execute("INSERT INTO accounts (id, name, domain_id) VALUES (?, ?, ?)", id, uniq("acc-"),
        domainId));
    return id;
  }

  /** A user of the account with the role, as a caller. */
  public Caller caller(Role role, String accountId) {
    String id = UUID.randomUUID().toString();
    String name = uniq("u-");
    String domainId = jdbi.withHandle(h -> {
      h.execute("INSERT INTO users (id, name, account_id, role) VALUES (?, ?, ?, ?)", id, name, accountId,
          role.name());
      return h.createQuery("SELECT domain_id FROM accounts WHERE id = :id").bind("id", accountId)
          .mapTo(String.class).one();
    });
    return new Caller(id, name, accountId, domainId, role);
  }

  /** A host (state, resource state) with {@code freeDevices} Free devices of the profile; its id. */
  public String host(String state, String resourceState, int freeDevices) {
    String id = UUID.randomUUID().toString();
    jdbi.useHandle(h -> {
      h.execute("INSERT INTO hosts (id, name, hypervisor_uri, cpu_cores, cpu_mhz, memory_mb, state, resource_state)"
          + " VALUES (?, ?, 'test:///default', 8, 2000, 16384, ?, ?)", id, uniq("h-"), state, resourceState);
      for (int i = 0; i < freeDevices; i++) {
        device(id, null, "Free");
      }
    });
    return id;
  }

  public String hostName(String hostId) {
    return jdbi.withHandle(h -> h.createQuery("SELECT name FROM hosts WHERE id = :id").bind("id", hostId)
        .mapTo(String.class).one());
  }

  /** A MDEV device of the profile on the host, held by instanceId when not null; its id. */
  public String device(String hostId, String instanceId, String state) {
    String id = UUID.randomUUID().toString();
    jdbi.useHandle(h -> h.execute("INSERT INTO gpu_devices (id, host_id, bus_address, type, card_id, profile_id,"
        + " state, instance_id) VALUES (?, ?, ?, 'MDEV', ?, ?, ?, ?)", id, hostId, id, cardId, profileId, state,
        instanceId));
    return id;
  }

  /** An instance of the account in {@code state} on the host (null: none), with gpus GPUs of the profile; its id. */
  public String instance(String accountId, String state, String hostId, int gpus) {
    String id = UUID.randomUUID().toString();
    jdbi.useHandle(h -> h.execute("INSERT INTO instances (id, name, vm_name, account_id, state, host_id, offering_id,"
        + " template_id, vgpu_profile_id, gpu_count, cpu_cores, cpu_mhz, memory_mb, workflow_id)"
        + " VALUES (?, 'vm1', ?, ?, ?, ?, ?, ?, ?, ?, 2, 1000, 1024, ?)", id, "i-" + id, accountId, state, hostId,
        gpus > 0 ? gpuOfferingId : plainOfferingId, templateId, gpus > 0 ? profileId : null, gpus, "deploy-" + id));
    if (hostId != null) {
      for (int i = 0; i < gpus; i++) {
        device(hostId, id, "Allocated");
      }
    }
    return id;
  }

  public Map<String, Object> row(String instanceId) {
    return jdbi.withHandle(h -> h.createQuery("SELECT * FROM instances WHERE id = :id").bind("id", instanceId)
        .mapToMap().one());
  }

  public void setState(String instanceId, String state) {
    jdbi.useHandle(h -> h.execute("UPDATE instances SET state = ? WHERE id = ?", state, instanceId));
  }

  /** The events of an instance, oldest first: "type state workflowId". */
  public List<String> events(String instanceId) {
    return jdbi.withHandle(h -> h.createQuery("SELECT CONCAT(type, ' ', state, ' ', COALESCE(workflow_id, '-'))"
            + " FROM events WHERE instance_id = :id ORDER BY created_at, id")
        .bind("id", instanceId).mapTo(String.class).list());
  }
}
