package io.gpucloud.service.tenancy;

import static io.gpucloud.service.ApiAssertions.fails;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.jdbi.v3.core.transaction.TransactionIsolationLevel.READ_COMMITTED;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.gpucloud.controlplane.limits.LimitExceededException;
import io.gpucloud.controlplane.limits.Limits;
import io.gpucloud.controlplane.limits.ResourceRequest;
import io.gpucloud.controlplane.limits.ScopeType;
import io.gpucloud.service.TestDatabase;
import io.gpucloud.service.auth.AdminBootstrap;
import io.gpucloud.service.auth.Caller;
import io.gpucloud.service.auth.Role;
import io.gpucloud.service.auth.UserResource;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.transaction.TransactionIsolationLevel;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The tenancy services and {@link Limits} against a real MariaDB: the test database of
 * {@link TestDatabase} (it fails without one; {@code make test} and {@code make unit} start one).
 */
class TenancyDatabaseTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static Jdbi jdbi;
  private static Caller admin;
  private static final Limits LIMITS = new Limits();
  private static DomainService domains;
  private static AccountService accounts;
  private static ProjectService projects;
  private static LimitService limits;
  private static OfferingService offerings;
  private static UserResource users;

  @BeforeAll
  static void setUp() {
    jdbi = TestDatabase.jdbi();
    admin = TestDatabase.admin();
    domains = new DomainService(jdbi, LIMITS);
    accounts = new AccountService(jdbi, LIMITS);
    projects = new ProjectService(jdbi, LIMITS);
    limits = new LimitService(jdbi, LIMITS, domains, accounts, projects);
    offerings = new OfferingService(jdbi);
    users = new UserResource(jdbi);
  }

  private static String uniq(String p) {
    return p + UUID.randomUUID().toString().substring(0, 8);
  }

  private static Caller callerFor(String role, String accountName, String domainId, String accountId) {
    UserResource.UserView u = (UserResource.UserView) users.create(admin,
        new UserResource.CreateUserRequest(uniq(accountName + "-u"), Role.valueOf(role), accountId)).getEntity();
    return new Caller(u.id(), u.name(), accountId, domainId, Role.valueOf(role));
  }

  private static void counted(String accountId, String projectId, int gpus, int cpus, long mem) {
    jdbi.useHandle(h -> h.execute("INSERT INTO instances (id, name, vm_name, account_id, project_id, state, gpu_count,"
            + " cpu_cores, memory_mb, quota_counted) VALUES (?, 'vm', ?, ?, ?, 'Running', ?, ?, ?, 1)",
        UUID.randomUUID().toString(), uniq("i-"), accountId, projectId, gpus, cpus, mem));
  }

  @Test
  void treeScopingAndLimits() throws Exception {
    DomainView acme = domains.create(admin, new DomainRequest(uniq("acme"), null));
    assertThat(acme.path()).isEqualTo("/ROOT/" + acme.name() + "/");
    assertThat(acme.parentId()).isEqualTo(AdminBootstrap.ROOT_DOMAIN_ID);
    DomainView dev = domains.create(admin, new DomainRequest("dev", acme.id()));
    assertThat(dev.path()).isEqualTo(acme.path() + "dev/");
    DomainView other = domains.create(admin, new DomainRequest(uniq("other"), null));
    AccountView alice = accounts.create(admin, new AccountRequest("alice", acme.id()));
    AccountView bob = accounts.create(admin, new AccountRequest("bob", dev.id()));
    AccountView carol = accounts.create(admin, new AccountRequest("carol", other.id()));
    fails(409, "already exists", () -> accounts.create(admin, new AccountRequest("alice", acme.id())));
    ProjectView ml = projects.create(admin, new ProjectRequest("ml-" + acme.name(), bob.id()));
    assertThat(ml.domainId()).isEqualTo(dev.id());

    Caller acmeAdmin = callerFor("DomainAdmin", "acme-admin", acme.id(), alice.id());
    Caller aliceUser = callerFor("User", "alice", acme.id(), alice.id());

    // DomainAdmin: its subtree only; outside is 404
    assertThat(domains.list(acmeAdmin, null, null)).extracting(DomainView::id).containsExactly(acme.id(), dev.id());
    fails(404, "not found", () -> domains.get(acmeAdmin, other.id()));
    fails(404, "not found", () -> accounts.get(acmeAdmin, carol.id()));
    assertThat(accounts.list(acmeAdmin, null, null)).extracting(AccountView::id).contains(alice.id(), bob.id())
        .doesNotContain(carol.id());
    DomainView sub = domains.create(acmeAdmin, new DomainRequest("team", dev.id()));
    fails(400, "parentId: no domain", () -> domains.create(acmeAdmin, new DomainRequest("x", other.id())));
    fails(403, "forbidden", () -> domains.update(acmeAdmin, acme.id(), new DomainRequest("renamed", null)));
    fails(403, "forbidden", () -> limits.put(acmeAdmin, ScopeType.DOMAIN, acme.id(), JSON.readTree("{\"gpuLimit\":1}")));
    assertThat(limits.put(acmeAdmin, ScopeType.DOMAIN, dev.id(), JSON.readTree("{\"gpuLimit\":15}")).gpuLimit()).isEqualTo(15);
    // not above acme's (the default domain limit, 20)
    fails(400, "gpuLimit 100 is above the GPU limit of domain " + acme.path() + " (20)",
        () -> limits.put(acmeAdmin, ScopeType.DOMAIN, dev.id(), JSON.readTree("{\"gpuLimit\":100}")));

    // rename rewrites the subtree's paths
    DomainView devRenamed = domains.update(acmeAdmin, dev.id(), new DomainRequest("devops", null));
    assertThat(devRenamed.path()).isEqualTo(acme.path() + "devops/");
    assertThat(domains.get(admin, sub.id()).path()).isEqualTo(acme.path() + "devops/team/");
    assertThat(accounts.get(admin, bob.id()).domainPath()).isEqualTo(acme.path() + "devops/");

    // User: its own account, its domain, its projects
    assertThat(accounts.list(aliceUser, null, null)).extracting(AccountView::id).containsExactly(alice.id());
    assertThat(domains.list(aliceUser, null, null)).extracting(DomainView::id).containsExactly(acme.id());
    assertThat(projects.list(aliceUser, null, null)).isEmpty();
    fails(404, "not found", () -> projects.get(aliceUser, ml.id()));
    fails(404, "not found", () -> limits.get(aliceUser, ScopeType.ACCOUNT, bob.id()));
    fails(403, "forbidden", () -> limits.get(aliceUser, ScopeType.DOMAIN, acme.id()));
    assertThat(limits.get(aliceUser, ScopeType.ACCOUNT, alice.id()).gpuLimit()).isEqualTo(20);

    // users: scoped lists, no Admin grants by a DomainAdmin, keys
    assertThat(users.list(aliceUser)).extracting(UserResource.UserView::id).containsExactly(aliceUser.userId());
    assertThat(users.list(acmeAdmin)).extracting(UserResource.UserView::id).contains(aliceUser.userId(), acmeAdmin.userId())
        .doesNotContain(admin.userId());
    fails(403, "only an Admin", () -> users.create(acmeAdmin, new UserResource.CreateUserRequest(uniq("x"), Role.Admin, bob.id())));
    fails(400, "no account", () -> users.create(acmeAdmin, new UserResource.CreateUserRequest(uniq("x"), Role.User, carol.id())));
    assertThat(users.create(acmeAdmin, new UserResource.CreateUserRequest(uniq("x"), Role.DomainAdmin, bob.id())).getStatus()).isEqualTo(201);
    fails(404, "no user", () -> users.createKey(aliceUser, acmeAdmin.userId()));
    fails(404, "no user", () -> users.createKey(acmeAdmin, admin.userId()));
    assertThat(users.createKey(aliceUser, aliceUser.userId()).getStatus()).isEqualTo(201);

    // limits: account, domain subtree, project, ROOT unlimited
    limits.put(admin, ScopeType.ACCOUNT, bob.id(), JSON.readTree("{\"gpuLimit\": 3}"));
    counted(bob.id(), ml.id(), 2, 2, 2048);
    counted(alice.id(), null, 1, 1, 1024);
    LimitsView bobLimits = limits.get(admin, ScopeType.ACCOUNT, bob.id());
    assertThat(bobLimits).isEqualTo(new LimitsView(3, 2, 1, 20, 1, 19, 40, 2, 38, 40960, 2048, 38912));
    LimitsView acmeLimits = limits.get(admin, ScopeType.DOMAIN, acme.id());
    assertThat(acmeLimits.gpuTotal()).isEqualTo(3);
    assertThat(acmeLimits.instanceTotal()).isEqualTo(2);
    assertThat(limits.get(admin, ScopeType.DOMAIN, AdminBootstrap.ROOT_DOMAIN_ID).gpuLimit()).isEqualTo(-1);
    assertThat(limits.get(admin, ScopeType.PROJECT, ml.id()).gpuTotal()).isEqualTo(2);

    jdbi.useTransaction(READ_COMMITTED, h -> LIMITS.checkAndLock(h, bob.id(), ml.id(), ResourceRequest.instance(1, 1, 1024)));
    assertThatThrownBy(() -> jdbi.useTransaction(READ_COMMITTED,
            h -> LIMITS.checkAndLock(h, bob.id(), ml.id(), ResourceRequest.instance(2, 1, 1024))))
        .isInstanceOf(LimitExceededException.class)
        .hasMessage("GPU limit of account 'bob' exceeded: limit 3, in use 2, requested 2");
    limits.put(admin, ScopeType.DOMAIN, acme.id(), JSON.readTree("{\"gpuLimit\": 4}"));
    assertThatThrownBy(() -> jdbi.useTransaction(READ_COMMITTED,
            h -> LIMITS.checkAndLock(h, alice.id(), null, ResourceRequest.instance(2, 1, 1024))))
        .hasMessage("GPU limit of domain '" + acme.name() + "' exceeded: limit 4, in use 3, requested 2");
    limits.put(admin, ScopeType.PROJECT, ml.id(), JSON.readTree("{\"gpuLimit\": 2}"));
    assertThatThrownBy(() -> jdbi.useTransaction(READ_COMMITTED,
            h -> LIMITS.checkAndLock(h, bob.id(), ml.id(), ResourceRequest.instance(1, 1, 1024))))
        .hasMessage("GPU limit of project '" + ml.name() + "' exceeded: limit 2, in use 2, requested 1");
    // null removes the override: back to the default 20
    assertThat(limits.put(admin, ScopeType.PROJECT, ml.id(), JSON.readTree("{\"gpuLimit\": null}")).gpuLimit()).isEqualTo(20);
    jdbi.useTransaction(READ_COMMITTED, h -> LIMITS.checkAndLock(h, carol.id(), null, ResourceRequest.instance(0, 1, 1024)));

    // deletes refused while in use
    fails(409, "sub-domain", () -> domains.delete(admin, acme.id()));
    fails(409, "user", () -> accounts.delete(admin, alice.id()));
    fails(409, "account bob has", () -> accounts.delete(admin, bob.id()));
    AccountView dave = accounts.create(admin, new AccountRequest("dave", acme.id()));
    ProjectView daves = projects.create(acmeAdmin, new ProjectRequest("p-" + acme.name(), dave.id()));
    fails(409, "account dave has 1 project", () -> accounts.delete(admin, dave.id()));
    projects.delete(acmeAdmin, daves.id());
    accounts.delete(acmeAdmin, dave.id());
    fails(404, "not found", () -> accounts.get(admin, dave.id()));
    domains.delete(acmeAdmin, sub.id());
    fails(404, "not found", () -> domains.get(admin, sub.id()));
  }

  @Test
  void concurrentChecksAgainstOneLimitSerialize() throws Exception {
    DomainView d = domains.create(admin, new DomainRequest(uniq("race"), null));
    AccountView a = accounts.create(admin, new AccountRequest("racer", d.id()));
    limits.put(admin, ScopeType.ACCOUNT, a.id(), JSON.readTree("{\"gpuLimit\": 3}"));
    int threads = 8;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch start = new CountDownLatch(1);
    List<Future<Boolean>> results = new java.util.ArrayList<>();
    for (int i = 0; i < threads; i++) {
      results.add(pool.submit(() -> {
        start.await();
        try {
          jdbi.useTransaction(TransactionIsolationLevel.READ_COMMITTED, h -> {
            h.createQuery("SELECT COUNT(*) FROM instances").mapTo(Long.class).one(); // a read before the lock
            LIMITS.checkAndLock(h, a.id(), null, ResourceRequest.instance(1, 1, 1));
            h.execute("INSERT INTO instances (id, name, vm_name, account_id, state, gpu_count, cpu_cores, memory_mb,"
                + " quota_counted) VALUES (?, 'vm', ?, ?, 'Creating', 1, 1, 1, 1)",
                UUID.randomUUID().toString(), uniq("r-"), a.id());
            Thread.sleep(20);
          });
          return true;
        } catch (LimitExceededException e) {
          return false;
        }
      }));
    }
    start.countDown();
    int ok = 0;
    for (Future<Boolean> f : results) {
      ok += f.get() ? 1 : 0;
    }
    pool.shutdown();
    assertThat(ok).isEqualTo(3);
    assertThat(limits.get(admin, ScopeType.ACCOUNT, a.id()).gpuTotal()).isEqualTo(3);
  }

  @Test
  void offeringsCheckTheProfileAndTheHosts() {
    String cardId = UUID.randomUUID().toString();
    String profileId = UUID.randomUUID().toString();
    String host = UUID.randomUUID().toString();
    String cardName = uniq("Card ");
    jdbi.useHandle(h -> {
      h.execute("INSERT INTO gpu_cards (id, vendor_id, device_id, vendor_name, device_name, name) VALUES (?, ?, ?, 'V', 'D', ?)",
          cardId, cardId.substring(0, 4), cardId.substring(4, 8), cardName);
      h.execute("INSERT INTO vgpu_profiles (id, card_id, name) VALUES (?, ?, 'sim-8q')", profileId, cardId);
    });
    fails(400, "gpuCount 1 exceeds the most devices of profile sim-8q any host has (0)",
        () -> offerings.create(new OfferingRequest(uniq("o"), null, 2, 1000, 2048L, profileId, null, null, null)));
    jdbi.useHandle(h -> {
      h.execute("INSERT INTO hosts (id, name, hypervisor_uri, cpu_cores, cpu_mhz, memory_mb, state, resource_state)"
          + " VALUES (?, ?, 'test:///default', 8, 2000, 16384, 'Up', 'Enabled')", host, uniq("h-"));
      String parent = UUID.randomUUID().toString();
      h.execute("INSERT INTO gpu_devices (id, host_id, bus_address, type, card_id) VALUES (?, ?, '0000:01:00.0', 'VGPU_ONLY', ?)",
          parent, host, cardId);
      for (int i = 0; i < 2; i++) {
        h.execute("INSERT INTO gpu_devices (id, host_id, bus_address, type, card_id, profile_id, parent_device_id)"
            + " VALUES (?, ?, ?, 'MDEV', ?, ?, ?)", UUID.randomUUID().toString(), host, UUID.randomUUID().toString(),
            cardId, profileId, parent);
      }
    });
    fails(400, "gpuCount 3 exceeds the most devices of profile sim-8q any host has (2)",
        () -> offerings.create(new OfferingRequest(uniq("o"), null, 2, 1000, 2048L, profileId, 3, null, null)));
    fails(400, "vgpuProfileId nope does not exist",
        () -> offerings.create(new OfferingRequest(uniq("o"), null, 2, 1000, 2048L, "nope", 1, null, null)));
    OfferingView o = offerings.create(new OfferingRequest(uniq("Sim 2xMedium "), null, 2, 1000, 2048L, profileId, 2, null, null));
    assertThat(o.gpuCards()).isEqualTo("2 x " + cardName + " (sim-8q)");
    assertThat(o.gpuCardId()).isEqualTo(cardId);
    assertThat(o.numaPolicy()).isEqualTo("preferred");
    OfferingView plain = offerings.create(new OfferingRequest(uniq("small "), null, 1, 500, 512L, null, null, null, null));
    assertThat(offerings.list(true, null)).extracting(OfferingView::id).contains(o.id()).doesNotContain(plain.id());
    assertThat(offerings.list(false, null)).extracting(OfferingView::id).contains(plain.id()).doesNotContain(o.id());
    fails(409, "already exists",
        () -> offerings.create(new OfferingRequest(o.name(), null, 1, 500, 512L, null, null, null, null)));
    offerings.delete(plain.id());
    fails(404, "not found", () -> offerings.get(plain.id()));
  }

  @Test
  void settingsRoundTrip() throws Exception {
    SettingsService settings = new SettingsService(TestDatabase.jdbi(), new Limits());
    Map<String, Object> before = settings.settings();
    assertThat(before).hasSize(13).containsKeys("max.account.gpus", "max.domain.gpus", "max.project.gpus")
        .containsEntry("gpu.detach.on.stop", false);
    Map<String, Object> after = settings.put(JSON.readTree("{\"max.project.gpus\": 7, \"gpu.detach.on.stop\": true}"));
    assertThat(after).containsEntry("max.project.gpus", 7L).containsEntry("gpu.detach.on.stop", true);
    fails(400, "gpu.detach.on.stop: must be true or false",
        () -> settings.put(JSON.readTree("{\"max.project.gpus\": 8, \"gpu.detach.on.stop\": null}")));
    assertThat(settings.settings()).containsEntry("max.project.gpus", 7L); // all or none
    settings.put(JSON.readTree("{\"max.project.gpus\": " + before.get("max.project.gpus")
        + ", \"gpu.detach.on.stop\": false}"));
  }
}
