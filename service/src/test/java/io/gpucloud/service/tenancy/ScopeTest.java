package io.gpucloud.service.tenancy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gpucloud.service.auth.Caller;
import io.gpucloud.service.auth.Role;
import io.gpucloud.service.auth.Scope;
import org.junit.jupiter.api.Test;

/** Visibility and management rules of {@link Scope} through ROOT -> acme -> dev, ROOT -> other. */
class ScopeTest {
  private static final String ROOT = "/ROOT/";
  private static final String ACME = "/ROOT/acme/";
  private static final String DEV = "/ROOT/acme/dev/";
  private static final String OTHER = "/ROOT/other/";
  private static final String ACMEX = "/ROOT/acmex/"; // shares a string prefix with acme, not a path prefix

  private static final Scope ADMIN = Scope.of(new Caller("u-admin", "admin", "a-admin", "d-root", Role.Admin), ROOT);
  private static final Scope ACME_ADMIN =
      Scope.of(new Caller("u-da", "acme-admin", "a-acme", "d-acme", Role.DomainAdmin), ACME);
  private static final Scope ALICE = Scope.of(new Caller("u-alice", "alice", "a-alice", "d-acme", Role.User), ACME);

  @Test
  void adminSeesAndManagesEverything() {
    for (String p : new String[] {ROOT, ACME, DEV, OTHER}) {
      assertThat(ADMIN.seesDomain(p)).isTrue();
      assertThat(ADMIN.managesDomain(p)).isTrue();
      assertThat(ADMIN.managesContentsOf(p)).isTrue();
      assertThat(ADMIN.seesAccount("a-x", p)).isTrue();
      assertThat(ADMIN.seesUser("u-x", p)).isTrue();
    }
    assertThat(ADMIN.listPrefix()).isNull();
    assertThat(ADMIN.mayGrant(Role.Admin, DEV)).isTrue();
    assertThat(ADMIN.mayIssueKeyFor("u-other-admin", Role.Admin, ROOT)).isTrue();
  }

  @Test
  void domainAdminSeesItsSubtreeOnly() {
    assertThat(ACME_ADMIN.seesDomain(ACME)).isTrue();
    assertThat(ACME_ADMIN.seesDomain(DEV)).isTrue();
    assertThat(ACME_ADMIN.seesDomain(ROOT)).isFalse();
    assertThat(ACME_ADMIN.seesDomain(OTHER)).isFalse();
    assertThat(ACME_ADMIN.seesDomain(ACMEX)).isFalse();
    assertThat(ACME_ADMIN.listPrefix()).isEqualTo(ACME);
    assertThat(ACME_ADMIN.seesAccount("a-bob", DEV)).isTrue();
    assertThat(ACME_ADMIN.seesAccount("a-carol", OTHER)).isFalse();
    assertThat(ACME_ADMIN.seesProject("a-bob", DEV)).isTrue();
    assertThat(ACME_ADMIN.seesProject("a-carol", OTHER)).isFalse();
    assertThat(ACME_ADMIN.seesUser("u-bob", DEV)).isTrue();
    assertThat(ACME_ADMIN.seesUser("u-carol", OTHER)).isFalse();
    assertThat(ACME_ADMIN.seesUser("u-root-admin", ROOT)).isFalse();
  }

  @Test
  void domainAdminManagesContentsButNotItsOwnDomain() {
    assertThat(ACME_ADMIN.managesContentsOf(ACME)).isTrue(); // accounts, users, sub-domains in acme
    assertThat(ACME_ADMIN.managesContentsOf(DEV)).isTrue();
    assertThat(ACME_ADMIN.managesContentsOf(OTHER)).isFalse();
    assertThat(ACME_ADMIN.managesDomain(ACME)).isFalse(); // no rename/delete/limits of its own domain
    assertThat(ACME_ADMIN.managesDomain(DEV)).isTrue();
    assertThat(ACME_ADMIN.managesDomain(ROOT)).isFalse();
    assertThat(ACME_ADMIN.managesAccount(ACME)).isTrue();
    assertThat(ACME_ADMIN.managesProject(DEV)).isTrue();
    assertThat(ACME_ADMIN.managesAccount(OTHER)).isFalse();
  }

  @Test
  void onlyAnAdminGrantsAdmin() {
    assertThat(ACME_ADMIN.mayGrant(Role.User, DEV)).isTrue();
    assertThat(ACME_ADMIN.mayGrant(Role.DomainAdmin, DEV)).isTrue();
    assertThat(ACME_ADMIN.mayGrant(Role.DomainAdmin, ACME)).isTrue();
    assertThat(ACME_ADMIN.mayGrant(Role.Admin, ACME)).isFalse();
    assertThat(ACME_ADMIN.mayGrant(Role.User, OTHER)).isFalse();
    assertThat(ALICE.mayGrant(Role.User, ACME)).isFalse();
  }

  @Test
  void keysForOthers() {
    assertThat(ACME_ADMIN.mayIssueKeyFor("u-bob", Role.User, DEV)).isTrue();
    assertThat(ACME_ADMIN.mayIssueKeyFor("u-da2", Role.DomainAdmin, ACME)).isTrue();
    // an Admin user whose account sits in acme: a DomainAdmin must not mint its keys
    assertThat(ACME_ADMIN.mayIssueKeyFor("u-admin2", Role.Admin, ACME)).isFalse();
    assertThat(ACME_ADMIN.mayIssueKeyFor("u-carol", Role.User, OTHER)).isFalse();
    assertThat(ALICE.mayIssueKeyFor("u-alice", Role.User, ACME)).isTrue();
    assertThat(ALICE.mayIssueKeyFor("u-bob", Role.User, ACME)).isFalse();
  }

  @Test
  void userSeesItsAccountItsProjectsItselfAndItsDomain() {
    assertThat(ALICE.seesAccount("a-alice", ACME)).isTrue();
    assertThat(ALICE.seesAccount("a-other-in-acme", ACME)).isFalse();
    assertThat(ALICE.seesProject("a-alice", ACME)).isTrue();
    assertThat(ALICE.seesProject("a-bob", DEV)).isFalse();
    assertThat(ALICE.seesUser("u-alice", ACME)).isTrue();
    assertThat(ALICE.seesUser("u-bob", ACME)).isFalse();
    assertThat(ALICE.seesDomain(ACME)).isTrue();
    assertThat(ALICE.seesDomain(DEV)).isFalse();
    assertThat(ALICE.seesDomain(ROOT)).isFalse();
    assertThat(ALICE.managesContentsOf(ACME)).isFalse();
    assertThat(ALICE.managesDomain(ACME)).isFalse();
    assertThat(ALICE.managesAccount(ACME)).isFalse();
  }

  @Test
  void pathsMatchWholeSegments() {
    assertThat(Scope.within(ACME, DEV)).isTrue();
    assertThat(Scope.within(ACME, ACME)).isTrue();
    assertThat(Scope.within(ACME, ACMEX)).isFalse();
    assertThat(Scope.strictlyWithin(ACME, ACME)).isFalse();
    assertThat(Scope.strictlyWithin(ACME, DEV)).isTrue();
    assertThat(Scope.within(ACME, "/root/ACME/dev/")).isTrue(); // like the database's collation
    assertThat(Scope.within(null, ACME)).isFalse();
  }

  @Test
  void aNonAdminNeedsAKnownDomainPath() {
    assertThatThrownBy(() -> Scope.of(new Caller("u", "u", "a", "d", Role.User), null))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(Scope.of(new Caller("u", "u", "a", "d", Role.Admin), null).isAdmin()).isTrue();
  }
}
