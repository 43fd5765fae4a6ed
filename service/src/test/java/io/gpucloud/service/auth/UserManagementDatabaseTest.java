package io.gpucloud.service.auth;

import static io.gpucloud.service.ApiAssertions.fails;
import static org.assertj.core.api.Assertions.assertThat;

import io.gpucloud.controlplane.limits.Limits;
import io.gpucloud.service.TestDatabase;
import io.gpucloud.service.tenancy.AccountRequest;
import io.gpucloud.service.tenancy.AccountService;
import io.gpucloud.service.tenancy.AccountView;
import io.gpucloud.service.tenancy.DomainRequest;
import io.gpucloud.service.tenancy.DomainService;
import io.gpucloud.service.tenancy.DomainView;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A DomainAdmin manages the Users of its subtree and the DomainAdmins of domains strictly below its own:
 * a peer DomainAdmin of its own domain cannot be taken over (keys), demoted or deleted by it.
 */
class UserManagementDatabaseTest {
  private static Jdbi jdbi;
  private static Caller admin;
  private static UserResource users;
  private static DomainService domains;
  private static AccountService accounts;

  @BeforeAll
  static void setUp() {
    jdbi = TestDatabase.jdbi();
    admin = TestDatabase.admin();
    users = new UserResource(jdbi);
    domains = new DomainService(jdbi, new Limits());
    accounts = new AccountService(jdbi, new Limits());
  }

  private static String uniq(String p) {
    return p + UUID.randomUUID().toString().substring(0, 8);
  }

  private static Caller user(Role role, AccountView account) {
    UserResource.UserView u = (UserResource.UserView) users.create(admin,
        new UserResource.CreateUserRequest(uniq("um-"), role, account.id())).getEntity();
    return new Caller(u.id(), u.name(), account.id(), account.domainId(), role);
  }

  private static Role roleOf(String userId) {
    return users.get(admin, userId).role();
  }

  @Test
  void aDomainAdminManagesDomainAdminsStrictlyBelowItNotItsPeers() {
    DomainView acme = domains.create(admin, new DomainRequest(uniq("acme"), null));
    DomainView dev = domains.create(admin, new DomainRequest("dev", acme.id()));
    AccountView ops = accounts.create(admin, new AccountRequest("ops", acme.id()));
    AccountView devs = accounts.create(admin, new AccountRequest("devs", dev.id()));
    Caller me = user(Role.DomainAdmin, ops);
    Caller peer = user(Role.DomainAdmin, ops);
    Caller below = user(Role.DomainAdmin, devs);
    Caller tenant = user(Role.User, ops);
    String peerKey = ((UserResource.NewKey) users.createKey(admin, peer.userId()).getEntity()).id();

    // the peer of its own domain: no take-over, demotion or deletion
    fails(403, "outside what you manage", () -> users.createKey(me, peer.userId()));
    fails(404, "no user", () -> users.revokeKey(me, peer.userId(), peerKey));
    fails(403, "outside what you manage",
        () -> users.update(me, peer.userId(), new UserResource.UpdateUserRequest(Role.User)));
    fails(403, "outside what you manage", () -> users.delete(me, peer.userId()));
    assertThat(roleOf(peer.userId())).isEqualTo(Role.DomainAdmin);
    // nor make a new peer, or raise a User of its own domain to one
    fails(403, "only in domains below its own",
        () -> users.create(me, new UserResource.CreateUserRequest(uniq("um-"), Role.DomainAdmin, ops.id())));
    fails(403, "only in domains below its own",
        () -> users.update(me, tenant.userId(), new UserResource.UpdateUserRequest(Role.DomainAdmin)));
    // and the peer cannot do it the other way round either
    fails(403, "outside what you manage", () -> users.delete(peer, me.userId()));

    // a DomainAdmin strictly below, and the Users of its subtree, are its to manage; its own keys too
    assertThat(users.createKey(me, below.userId()).getStatus()).isEqualTo(201);
    assertThat(users.update(me, below.userId(), new UserResource.UpdateUserRequest(Role.User)).role())
        .isEqualTo(Role.User);
    assertThat(users.update(me, below.userId(), new UserResource.UpdateUserRequest(Role.DomainAdmin)).role())
        .isEqualTo(Role.DomainAdmin);
    assertThat(users.create(me, new UserResource.CreateUserRequest(uniq("um-"), Role.DomainAdmin, devs.id()))
        .getStatus()).isEqualTo(201);
    assertThat(users.createKey(me, tenant.userId()).getStatus()).isEqualTo(201);
    assertThat(users.createKey(me, me.userId()).getStatus()).isEqualTo(201);
    users.delete(me, below.userId());
    fails(404, "no user", () -> users.get(admin, below.userId()));
  }

  @Test
  void userNamesAreUniquePerAccountAndA409SpeaksOfThatAccountOnly() {
    DomainView mine = domains.create(admin, new DomainRequest(uniq("mine"), null));
    DomainView theirs = domains.create(admin, new DomainRequest(uniq("theirs"), null));
    AccountView myAccount = accounts.create(admin, new AccountRequest("acc", mine.id()));
    AccountView theirAccount = accounts.create(admin, new AccountRequest("acc", theirs.id()));
    Caller me = user(Role.DomainAdmin, accounts.create(admin, new AccountRequest("admins", mine.id())));
    String name = uniq("ops-");
    assertThat(users.create(admin, new UserResource.CreateUserRequest(name, Role.User, theirAccount.id())).getStatus())
        .isEqualTo(201);

    // another tenant's name is no answer to give: the same name is free in my account
    assertThat(users.create(me, new UserResource.CreateUserRequest(name, Role.User, myAccount.id())).getStatus())
        .isEqualTo(201);
    // twice in one account is a conflict, told of that account only
    fails(409, "a user named '" + name + "' already exists in that account",
        () -> users.create(me, new UserResource.CreateUserRequest(name, Role.User, myAccount.id())));
    fails(409, "already exists in that account",
        () -> users.create(admin, new UserResource.CreateUserRequest(name, Role.User, theirAccount.id())));
    assertThat(users.list(admin)).filteredOn(u -> u.name().equals(name)).extracting(UserResource.UserView::accountId)
        .containsExactlyInAnyOrder(myAccount.id(), theirAccount.id());
  }
}
