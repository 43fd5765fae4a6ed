package io.gpucloud.service;

import static io.gpucloud.service.ApiAssertions.fails;
import static org.assertj.core.api.Assertions.assertThat;

import io.gpucloud.controlplane.limits.Limits;
import io.gpucloud.controlplane.limits.ScopeType;
import io.gpucloud.service.auth.AdminBootstrap;
import io.gpucloud.service.auth.Caller;
import io.gpucloud.service.auth.Role;
import io.gpucloud.service.auth.UserResource;
import io.gpucloud.service.instances.InstanceRequest;
import io.gpucloud.service.instances.InstanceService.TenantDevice;
import io.gpucloud.service.instances.InstanceService;
import io.gpucloud.service.instances.InstanceView;
import io.gpucloud.service.inventory.DeviceService;
import io.gpucloud.service.inventory.GpuDeviceResource;
import io.gpucloud.service.tenancy.AccountRequest;
import io.gpucloud.service.tenancy.AccountService;
import io.gpucloud.service.tenancy.AccountView;
import io.gpucloud.service.tenancy.DomainRequest;
import io.gpucloud.service.tenancy.DomainService;
import io.gpucloud.service.tenancy.DomainView;
import io.gpucloud.service.tenancy.LimitService;
import io.gpucloud.service.tenancy.ProjectRequest;
import io.gpucloud.service.tenancy.ProjectService;
import io.gpucloud.service.tenancy.ProjectView;
import java.util.List;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every scoped listing and lookup against a real MariaDB, with domain names that hold LIKE's
 * wildcards: a DomainAdmin of {@code /ROOT/x_Q.../} must see nothing of {@code /ROOT/xzQ.../}, one of
 * {@code /ROOT/a%.../} nothing of {@code /ROOT/abc.../}, while each still sees its own subtree. (The
 * API refuses '%' in a new name, so that domain is written straight into the table, as older data or
 * a hand-made row could be; '_' the API accepts.) The random suffix keeps the tests repeatable on a
 * database that outlives one run.
 */
class VisibilityDatabaseTest {
  private static Jdbi jdbi;
  private static Caller admin;
  private static DomainService domains;
  private static AccountService accounts;
  private static ProjectService projects;
  private static LimitService limits;
  private static UserResource users;
  private static InstanceService instances;
  private static GpuDeviceResource gpuDevices;
  private static String hostId;
  private static String cardId;
  private static String offeringId;
  private static String templateId;

  @BeforeAll
  static void setUp() {
    jdbi = TestDatabase.jdbi();
    admin = TestDatabase.admin();
    Limits l = new Limits();
    domains = new DomainService(jdbi, l);
    accounts = new AccountService(jdbi, l);
    projects = new ProjectService(jdbi, l);
    limits = new LimitService(jdbi, l, domains, accounts, projects);
    users = new UserResource(jdbi);
    instances = new InstanceService(jdbi, null); // no Temporal: nothing here starts a deploy
    gpuDevices = new GpuDeviceResource(new DeviceService(jdbi), instances);
    hostId = UUID.randomUUID().toString();
    cardId = UUID.randomUUID().toString();
    offeringId = UUID.randomUUID().toString();
    templateId = UUID.randomUUID().toString();
    jdbi.useHandle(h -> {
      h.execute("INSERT INTO gpu_cards (id, vendor_id, device_id, vendor_name, device_name, name)"
          + " VALUES (?, ?, ?, 'V', 'D', ?)", cardId, cardId.substring(0, 4), cardId.substring(4, 8), uniq("card "));
      h.execute("INSERT INTO hosts (id, name, hypervisor_uri, cpu_cores, cpu_mhz, memory_mb, state, resource_state)"
          + " VALUES (?, ?, 'test:///default', 8, 2000, 16384, 'Up', 'Enabled')", hostId, uniq("vis-"));
      h.execute("INSERT INTO offerings (id, name, cpu_cores, cpu_mhz, memory_mb) VALUES (?, ?, 1, 1000, 512)",
          offeringId, uniq("vis-"));
      h.execute("INSERT INTO templates (id, name, os_type, root_disk_gb, image_path) VALUES (?, ?, 'linux', 1, '/x')",
          templateId, uniq("vis-"));
    });
  }

  private static String uniq(String p) {
    return p + UUID.randomUUID().toString().substring(0, 8);
  }

  /** A domain with a sub-domain, an account in each, a project, a user, an instance holding a device. */
  private record Tree(
      DomainView domain, DomainView sub, AccountView account, AccountView subAccount, ProjectView project,
      String userId, String instanceId, String deviceId) {}

  private static Tree tree(DomainView domain) {
    DomainView sub = domains.create(admin, new DomainRequest("sub", domain.id()));
    AccountView account = accounts.create(admin, new AccountRequest("acc", domain.id()));
    AccountView subAccount = accounts.create(admin, new AccountRequest("subacc", sub.id()));
    ProjectView project = projects.create(admin, new ProjectRequest(uniq("p-"), subAccount.id()));
    String userId = user(Role.User, account.id()).userId();
    String instanceId = UUID.randomUUID().toString();
    String deviceId = UUID.randomUUID().toString();
    jdbi.useHandle(h -> {
      h.execute("INSERT INTO instances (id, name, vm_name, account_id, project_id, state, gpu_count, cpu_cores,"
          + " memory_mb) VALUES (?, 'vm', ?, ?, ?, 'Running', 1, 1, 512)", instanceId, "i-" + instanceId,
          subAccount.id(), project.id());
      h.execute("INSERT INTO gpu_devices (id, host_id, bus_address, type, card_id, state, instance_id)"
          + " VALUES (?, ?, ?, 'PCI', ?, 'Allocated', ?)", deviceId, hostId, deviceId, cardId, instanceId);
    });
    return new Tree(domain, sub, account, subAccount, project, userId, instanceId, deviceId);
  }

  private static Caller user(Role role, String accountId) {
    UserResource.UserView u = (UserResource.UserView) users.create(admin,
        new UserResource.CreateUserRequest(uniq("vis-u-"), role, accountId)).getEntity();
    return new Caller(u.id(), u.name(), accountId, u.domainId(), role);
  }

  /** A domain right under ROOT written into the table (the API refuses some of these names). */
  private static DomainView rawDomain(String name) {
    String id = UUID.randomUUID().toString();
    jdbi.useHandle(h -> h.execute("INSERT INTO domains (id, name, parent_id, path) VALUES (?, ?, ?, ?)",
        id, name, AdminBootstrap.ROOT_DOMAIN_ID, "/ROOT/" + name + "/"));
    return domains.get(admin, id);
  }

  @Test
  void anUnderscoreInADomainNameMatchesOnlyItself() {
    String sfx = uniq("");
    Tree mine = tree(domains.create(admin, new DomainRequest("x_Q" + sfx, null)));
    Tree theirs = tree(domains.create(admin, new DomainRequest("xzQ" + sfx, null)));
    assertThat(mine.domain().path()).isEqualTo("/ROOT/x_Q" + sfx + "/");
    assertThat(theirs.domain().path()).isEqualTo("/ROOT/xzQ" + sfx + "/");
    seesItsSubtreeAndNothingElse(user(Role.DomainAdmin, mine.account().id()), mine, theirs);
    // and the other way round: xzQ's admin sees nothing of x_Q
    seesItsSubtreeAndNothingElse(user(Role.DomainAdmin, theirs.account().id()), theirs, mine);
  }

  @Test
  void aPercentInADomainNameMatchesOnlyItself() {
    String sfx = uniq("");
    Tree mine = tree(rawDomain("a%" + sfx));
    Tree theirs = tree(domains.create(admin, new DomainRequest("abc" + sfx, null)));
    assertThat(mine.domain().path()).isEqualTo("/ROOT/a%" + sfx + "/");
    seesItsSubtreeAndNothingElse(user(Role.DomainAdmin, mine.account().id()), mine, theirs);
    seesItsSubtreeAndNothingElse(user(Role.DomainAdmin, theirs.account().id()), theirs, mine);
  }

  private static void seesItsSubtreeAndNothingElse(Caller da, Tree mine, Tree theirs) {
    // domains
    assertThat(domains.list(da, null, null)).extracting(DomainView::id)
        .containsExactlyInAnyOrder(mine.domain().id(), mine.sub().id());
    assertThat(domains.get(da, mine.sub().id()).id()).isEqualTo(mine.sub().id());
    fails(404, "not found", () -> domains.get(da, theirs.domain().id()));
    fails(404, "not found", () -> domains.get(da, theirs.sub().id()));
    fails(404, "not found", () -> domains.delete(da, theirs.sub().id()));
    // accounts
    assertThat(accounts.list(da, null, null)).extracting(AccountView::id)
        .containsExactlyInAnyOrder(mine.account().id(), mine.subAccount().id());
    assertThat(accounts.get(da, mine.subAccount().id()).id()).isEqualTo(mine.subAccount().id());
    fails(404, "not found", () -> accounts.get(da, theirs.account().id()));
    fails(404, "not found", () -> accounts.update(da, theirs.account().id(), new AccountRequest("renamed", null)));
    // projects
    assertThat(projects.list(da, null, null)).extracting(ProjectView::id).containsExactly(mine.project().id());
    assertThat(projects.get(da, mine.project().id()).id()).isEqualTo(mine.project().id());
    fails(404, "not found", () -> projects.get(da, theirs.project().id()));
    // users
    assertThat(users.list(da)).extracting(UserResource.UserView::id)
        .contains(mine.userId(), da.userId()).doesNotContain(theirs.userId());
    assertThat(users.get(da, mine.userId()).id()).isEqualTo(mine.userId());
    fails(404, "no user", () -> users.get(da, theirs.userId()));
    fails(404, "no user", () -> users.createKey(da, theirs.userId()));
    // limits
    assertThat(limits.get(da, ScopeType.ACCOUNT, mine.subAccount().id()).gpuLimit()).isEqualTo(20);
    assertThat(limits.get(da, ScopeType.DOMAIN, mine.sub().id())).isNotNull();
    assertThat(limits.get(da, ScopeType.PROJECT, mine.project().id())).isNotNull();
    fails(404, "not found", () -> limits.get(da, ScopeType.DOMAIN, theirs.domain().id()));
    fails(404, "not found", () -> limits.get(da, ScopeType.ACCOUNT, theirs.account().id()));
    fails(404, "not found", () -> limits.get(da, ScopeType.PROJECT, theirs.project().id()));
    // instances
    assertThat(instances.list(da, null)).extracting(InstanceView::id).containsExactly(mine.instanceId());
    assertThat(instances.get(da, mine.instanceId()).id()).isEqualTo(mine.instanceId());
    fails(404, "does not exist", () -> instances.get(da, theirs.instanceId()));
    // gpu-devices as a tenant: the devices of its own instances only
    assertThat(tenantDevices(da, null)).extracting(TenantDevice::id).containsExactly(mine.deviceId());
    assertThat(tenantDevices(da, mine.instanceId())).extracting(TenantDevice::id).containsExactly(mine.deviceId());
    assertThat(tenantDevices(da, theirs.instanceId())).isEmpty();
    // a deploy into the other tree's project reads as a project that does not exist
    fails(400, "projectId " + theirs.project().id() + " does not exist", () -> instances.create(da,
        new InstanceRequest("vm", offeringId, templateId, theirs.project().id(), null), null));
  }

  @SuppressWarnings("unchecked")
  private static List<TenantDevice> tenantDevices(Caller caller, String instanceId) {
    return (List<TenantDevice>) gpuDevices.list(caller, null, null, null, instanceId, null, null, null);
  }

  @Test
  void aUserSeesItsOwnAccountsInstancesAndDevicesOnly() {
    Tree t = tree(domains.create(admin, new DomainRequest(uniq("vis-user-"), null)));
    Caller owner = user(Role.User, t.subAccount().id());
    Caller neighbour = user(Role.User, t.account().id()); // same tree, another account
    assertThat(instances.list(owner, null)).extracting(InstanceView::id).containsExactly(t.instanceId());
    assertThat(tenantDevices(owner, null)).extracting(TenantDevice::id).containsExactly(t.deviceId());
    assertThat(instances.list(neighbour, null)).isEmpty();
    assertThat(tenantDevices(neighbour, null)).isEmpty();
    fails(404, "does not exist", () -> instances.get(neighbour, t.instanceId()));
    assertThat(instances.list(admin, null)).extracting(InstanceView::id).contains(t.instanceId());
  }

  @Test
  void aDomainAdminWhoseDomainCannotBeReadGetsNothing() {
    Tree t = tree(domains.create(admin, new DomainRequest(uniq("vis-ghost-"), null)));
    // a caller whose domain row is gone (or never was): its scope cannot be known, so it is refused
    Caller ghost = new Caller(t.userId(), "ghost", t.account().id(), UUID.randomUUID().toString(), Role.DomainAdmin);
    String gone = "the caller's domain no longer exists";
    fails(403, gone, () -> instances.list(ghost, null));
    fails(403, gone, () -> instances.get(ghost, t.instanceId()));
    fails(403, gone, () -> tenantDevices(ghost, null));
    fails(403, gone, () -> domains.list(ghost, null, null));
    fails(403, gone, () -> accounts.list(ghost, null, null));
    fails(403, gone, () -> projects.list(ghost, null, null));
    fails(403, gone, () -> users.list(ghost));
    fails(403, gone, () -> limits.get(ghost, ScopeType.ACCOUNT, t.account().id()));
    Caller ghostUser = new Caller(t.userId(), "ghost", t.account().id(), UUID.randomUUID().toString(), Role.User);
    fails(403, gone, () -> instances.list(ghostUser, null));
    fails(403, gone, () -> tenantDevices(ghostUser, null));
  }
}
