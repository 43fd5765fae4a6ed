package io.gpucloud.service.instances;

import static io.gpucloud.service.ApiAssertions.fails;
import static org.assertj.core.api.Assertions.assertThat;

import io.gpucloud.service.TestDatabase;
import io.gpucloud.service.auth.AdminBootstrap;
import io.gpucloud.service.auth.Caller;
import io.gpucloud.service.auth.Role;
import java.util.Map;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;

/**
 * A deploy request against the test database: what the instance row copies from its offering, and
 * the stored reply of an Idempotency-Key. There is no Temporal here, so each request ends, after its
 * transaction committed, in the 503 a client retries with the same key.
 */
class DeployRequestDatabaseTest {
  private static final String NO_TEMPORAL = "could not start the deploy workflow";

  @Test
  void theInstanceCopiesItsOfferingAndAKeyRepliesTheSame() {
    Jdbi jdbi = TestDatabase.jdbi();
    TestDatabase.admin(); // makes sure ROOT exists
    String domain = UUID.randomUUID().toString();
    String account = UUID.randomUUID().toString();
    String card = UUID.randomUUID().toString();
    String profile = UUID.randomUUID().toString();
    String offering = UUID.randomUUID().toString();
    String template = UUID.randomUUID().toString();
    String sfx = domain.substring(0, 8);
    jdbi.useHandle(h -> {
      h.execute("INSERT INTO domains (id, name, parent_id, path) VALUES (?, ?, ?, ?)", domain, "dep" + sfx,
          AdminBootstrap.ROOT_DOMAIN_ID, "/ROOT/dep" + sfx + "/");
      h.execute("INSERT INTO accounts (id, name, domain_id) VALUES (?, 'a', ?)", account, domain);
      h.execute("INSERT INTO gpu_cards (id, vendor_id, device_id, vendor_name, device_name, name)"
          + " VALUES (?, ?, ?, 'V', 'D', ?)", card, card.substring(0, 4), card.substring(4, 8), "card " + sfx);
      h.execute("INSERT INTO vgpu_profiles (id, card_id, name) VALUES (?, ?, 'sim-4q')", profile, card);
      h.execute("INSERT INTO offerings (id, name, cpu_cores, cpu_mhz, memory_mb, vgpu_profile_id, gpu_count,"
          + " gpu_display, numa_policy) VALUES (?, ?, 3, 1700, 6144, ?, 2, 1, 'required')", offering, "o " + sfx, profile);
      h.execute("INSERT INTO templates (id, name, os_type, root_disk_gb, image_path) VALUES (?, ?, 'linux', 1, '/x')",
          template, "t " + sfx);
    });
    String userId = UUID.randomUUID().toString();
    jdbi.useHandle(h -> h.execute("INSERT INTO users (id, name, account_id, role) VALUES (?, ?, ?, 'User')",
        userId, "dep-" + sfx, account));
    Caller user = new Caller(userId, "dep-" + sfx, account, domain, Role.User);
    InstanceService instances = new InstanceService(jdbi, null);
    String key = "k-" + sfx;

    fails(503, NO_TEMPORAL, () -> instances.create(user, new InstanceRequest("vm1", offering, template, null, null), key));
    Map<String, Object> row = jdbi.withHandle(h -> h.createQuery("SELECT * FROM instances WHERE account_id = :a")
        .bind("a", account).mapToMap().one());
    assertThat(row).containsEntry("name", "vm1").containsEntry("state", "Creating").containsEntry("user_id", userId)
        .containsEntry("offering_id", offering).containsEntry("template_id", template)
        .containsEntry("vgpu_profile_id", profile).containsEntry("gpu_count", 2).containsEntry("cpu_cores", 3)
        .containsEntry("cpu_mhz", 1700).containsEntry("memory_mb", 6144L).containsEntry("numa_policy", "required")
        .containsEntry("workflow_id", "deploy-" + row.get("id")).containsEntry("vm_name", "i-" + row.get("id"));
    assertThat(row.get("gpu_display")).isIn(true, 1, (byte) 1);

    InstanceView view = instances.get(user, (String) row.get("id"));
    assertThat(view.gpuCards()).isEqualTo("2 x card " + sfx + " (sim-4q)");
    assertThat(view.offeringName()).isEqualTo("o " + sfx);
    // the same key: the stored reply, no second instance (and again the start that failed)
    fails(503, NO_TEMPORAL, () -> instances.create(user, new InstanceRequest("vm2", offering, template, null, null), key));
    assertThat(instances.list(user, null)).extracting(InstanceView::id).containsExactly(view.id());
    fails(400, "offeringId " + template + " does not exist",
        () -> instances.create(user, new InstanceRequest("vm3", template, template, null, null), null));
  }
}
