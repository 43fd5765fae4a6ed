package io.gpucloud.service.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;

/**
 * The visibility rule of {@link Scope}: every role (Admin, DomainAdmin, User) against every kind of
 * object (domain, account, project, user, instance, device), in scope, out of scope and at the
 * boundary, through ROOT -> acme -> dev, ROOT -> other and ROOT -> acmex. The DomainAdmin and the User
 * both sit in acme.
 */
class ScopeTest {
  private static final String ROOT = "/ROOT/";
  private static final String ACME = "/ROOT/acme/";
  private static final String DEV = "/ROOT/acme/dev/";
  private static final String OTHER = "/ROOT/other/";
  private static final String ACMEX = "/ROOT/acmex/"; // shares a string prefix with acme, not a path prefix
  private static final String DEV_OTHER_CASE = "/root/ACME/dev/"; // the database's collation ignores case

  private static final Scope ADMIN = Scope.of(new Caller("u-admin", "admin", "a-admin", "d-root", Role.Admin), ROOT);
  private static final Scope ACME_ADMIN =
      Scope.of(new Caller("u-da", "acme-admin", "a-acme", "d-acme", Role.DomainAdmin), ACME);
  private static final Scope ALICE = Scope.of(new Caller("u-alice", "alice", "a-alice", "d-acme", Role.User), ACME);

  /** One kind of object and the question Scope answers for it. */
  private interface Kind {
    boolean sees(Scope s, String id, String path);
  }

  /** An object of some kind: its id (account id, or user id for users) and domain path; what each role sees. */
  private record Case(String what, String id, String path, boolean admin, boolean domainAdmin, boolean user) {}

  private static void check(String kindName, Kind kind, List<Case> cases) {
    SoftAssertions soft = new SoftAssertions();
    for (Case c : cases) {
      soft.assertThat(kind.sees(ADMIN, c.id(), c.path())).as("Admin sees %s %s", kindName, c.what()).isEqualTo(c.admin());
      soft.assertThat(kind.sees(ACME_ADMIN, c.id(), c.path())).as("DomainAdmin of acme sees %s %s", kindName, c.what())
          .isEqualTo(c.domainAdmin());
      soft.assertThat(kind.sees(ALICE, c.id(), c.path())).as("User alice sees %s %s", kindName, c.what())
          .isEqualTo(c.user());
    }
    soft.assertAll();
  }

  /** The cases of an object owned by an account (account, project, instance, device), alice's account a-alice. */
  private static List<Case> accountOwned() {
    return List.of(
        new Case("of alice's own account", "a-alice", ACME, true, true, true),
        new Case("of another account in alice's domain (boundary for a User)", "a-bob", ACME, true, true, false),
        new Case("of the DomainAdmin's own account", "a-acme", ACME, true, true, false),
        new Case("in a sub-domain", "a-carol", DEV, true, true, false),
        new Case("in a sub-domain, path in another case", "a-carol", DEV_OTHER_CASE, true, true, false),
        new Case("in the parent domain", "a-root", ROOT, true, false, false),
        new Case("in a sibling domain", "a-dave", OTHER, true, false, false),
        new Case("in /ROOT/acmex/ (string prefix, not path prefix)", "a-eve", ACMEX, true, false, false));
  }

  @Test
  void domains() {
    check("domain", (s, id, path) -> s.seesDomain(path), List.of(
        new Case("acme (the callers' own)", null, ACME, true, true, true),
        new Case("acme/dev (below)", null, DEV, true, true, false),
        new Case("acme/dev in another case", null, DEV_OTHER_CASE, true, true, false),
        new Case("acme in another case", null, "/root/Acme/", true, true, true),
        new Case("ROOT (above)", null, ROOT, true, false, false),
        new Case("other (sibling)", null, OTHER, true, false, false),
        new Case("acmex (string prefix, not path prefix)", null, ACMEX, true, false, false),
        new Case("with an unknown path", null, null, true, false, false)));
  }

  @Test
  void accounts() {
    check("the account", Scope::seesAccount, accountOwned());
  }

  @Test
  void projects() {
    check("a project", Scope::seesProject, accountOwned());
  }

  @Test
  void instances() {
    check("an instance", Scope::seesInstance, accountOwned());
  }

  @Test
  void devices() {
    check("a device held by an instance", Scope::seesDevice, accountOwned());
    check("a device", Scope::seesDevice, List.of(
        new Case("no instance holds", null, null, true, false, false)));
  }

  @Test
  void users() {
    check("a user", Scope::seesUser, List.of(
        new Case("alice herself", "u-alice", ACME, true, true, true),
        new Case("bob in alice's domain (boundary for a User)", "u-bob", ACME, true, true, false),
        new Case("the DomainAdmin itself", "u-da", ACME, true, true, false),
        new Case("carol in a sub-domain", "u-carol", DEV, true, true, false),
        new Case("carol in a sub-domain, path in another case", "u-carol", DEV_OTHER_CASE, true, true, false),
        new Case("the root admin (parent domain)", "u-admin", ROOT, true, false, false),
        new Case("dave in a sibling domain", "u-dave", OTHER, true, false, false),
        new Case("eve in /ROOT/acmex/", "u-eve", ACMEX, true, false, false)));
  }

  @Test
  void deployingForAnAccountFollowsSeeingIt() {
    check("(may deploy for) an account", Scope::mayDeployFor, accountOwned());
  }

  @Test
  void domainLimitsAreReadByAdminsOfTheDomain() {
    check("the limits of domain", (s, id, path) -> s.readsLimitsOfDomain(path), List.of(
        new Case("acme", null, ACME, true, true, false),
        new Case("acme/dev", null, DEV, true, true, false),
        new Case("ROOT", null, ROOT, true, false, false),
        new Case("acmex", null, ACMEX, true, false, false)));
  }

  @Test
  void wildcardsInDomainNamesMatchOnlyThemselves() {
    // '_' and '%' are LIKE wildcards; the rule compares the characters as they are, in Java and in SQL
    Scope underscore = Scope.of(new Caller("u", "u", "a", "d", Role.DomainAdmin), "/ROOT/x_Q/");
    Scope percent = Scope.of(new Caller("u", "u", "a", "d", Role.DomainAdmin), "/ROOT/a%/");
    for (String path : new String[] {"/ROOT/xzQ/", "/ROOT/xzQ/sub/"}) {
      assertThat(underscore.seesDomain(path)).as(path).isFalse();
      assertThat(underscore.seesAccount("a-x", path)).as(path).isFalse();
      assertThat(underscore.seesUser("u-x", path)).as(path).isFalse();
      assertThat(underscore.seesInstance("a-x", path)).as(path).isFalse();
      assertThat(underscore.seesDevice("a-x", path)).as(path).isFalse();
      assertThat(underscore.managesContentsOf(path)).as(path).isFalse();
    }
    for (String path : new String[] {"/ROOT/abc/", "/ROOT/a%bc/", "/ROOT/a/"}) {
      assertThat(percent.seesDomain(path)).as(path).isFalse();
      assertThat(percent.seesAccount("a-x", path)).as(path).isFalse();
      assertThat(percent.seesInstance("a-x", path)).as(path).isFalse();
    }
    assertThat(underscore.seesInstance("a-x", "/ROOT/x_Q/sub/")).isTrue();
    assertThat(percent.seesInstance("a-x", "/ROOT/a%/sub/")).isTrue();
    assertThat(Scope.SQL_IN_LIST_PREFIX).doesNotContainIgnoringCase("LIKE").contains("LEFT(d.path, CHAR_LENGTH(:prefix))");
  }

  @Test
  void listingsAreNarrowedByRole() {
    assertThat(ADMIN.listPrefix()).isNull();
    assertThat(ADMIN.onlyAccount()).isNull();
    assertThat(ADMIN.onlyUser()).isNull();
    assertThat(ADMIN.onlyDomainPath()).isNull();
    assertThat(ACME_ADMIN.listPrefix()).isEqualTo(ACME);
    assertThat(ACME_ADMIN.onlyAccount()).isNull();
    assertThat(ACME_ADMIN.onlyUser()).isNull();
    assertThat(ACME_ADMIN.onlyDomainPath()).isNull();
    assertThat(ALICE.listPrefix()).isEqualTo(ACME);
    assertThat(ALICE.onlyAccount()).isEqualTo("a-alice");
    assertThat(ALICE.onlyUser()).isEqualTo("u-alice");
    assertThat(ALICE.onlyDomainPath()).isEqualTo(ACME);
  }

  @Test
  void adminSeesAndManagesEverything() {
    for (String p : new String[] {ROOT, ACME, DEV, OTHER}) {
      assertThat(ADMIN.seesDomain(p)).isTrue();
      assertThat(ADMIN.managesDomain(p)).isTrue();
      assertThat(ADMIN.managesContentsOf(p)).isTrue();
      assertThat(ADMIN.seesAccount("a-x", p)).isTrue();
      assertThat(ADMIN.seesUser("u-x", p)).isTrue();
    }
    assertThat(ADMIN.mayGrant(Role.Admin, DEV)).isTrue();
    assertThat(ADMIN.mayIssueKeyFor("u-other-admin", Role.Admin, ROOT)).isTrue();
  }

  @Test
  void domainAdminManagesContentsButNotItsOwnDomain() {
    assertThat(ACME_ADMIN.managesContentsOf(ACME)).isTrue(); // accounts, users, sub-domains in acme
    assertThat(ACME_ADMIN.managesContentsOf(DEV)).isTrue();
    assertThat(ACME_ADMIN.managesContentsOf(OTHER)).isFalse();
    assertThat(ACME_ADMIN.managesContentsOf(ACMEX)).isFalse();
    assertThat(ACME_ADMIN.managesDomain(ACME)).isFalse(); // no rename/delete/limits of its own domain
    assertThat(ACME_ADMIN.managesDomain(DEV)).isTrue();
    assertThat(ACME_ADMIN.managesDomain(ROOT)).isFalse();
    assertThat(ACME_ADMIN.managesDomain(ACMEX)).isFalse();
    assertThat(ACME_ADMIN.managesAccount(ACME)).isTrue();
    assertThat(ACME_ADMIN.managesProject(DEV)).isTrue();
    assertThat(ACME_ADMIN.managesAccount(OTHER)).isFalse();
  }

  @Test
  void aUserManagesNothing() {
    for (String p : new String[] {ACME, DEV, ROOT}) {
      assertThat(ALICE.managesContentsOf(p)).isFalse();
      assertThat(ALICE.managesDomain(p)).isFalse();
      assertThat(ALICE.managesAccount(p)).isFalse();
      assertThat(ALICE.managesProject(p)).isFalse();
    }
  }

  @Test
  void onlyAnAdminGrantsAdmin() {
    assertThat(ACME_ADMIN.mayGrant(Role.User, DEV)).isTrue();
    assertThat(ACME_ADMIN.mayGrant(Role.DomainAdmin, DEV)).isTrue();
    assertThat(ACME_ADMIN.mayGrant(Role.DomainAdmin, ACME)).isFalse(); // a peer it could not manage
    assertThat(ACME_ADMIN.mayGrant(Role.User, ACME)).isTrue();
    assertThat(ACME_ADMIN.mayGrant(Role.Admin, ACME)).isFalse();
    assertThat(ACME_ADMIN.mayGrant(Role.User, OTHER)).isFalse();
    assertThat(ALICE.mayGrant(Role.User, ACME)).isFalse();
  }

  @Test
  void managingUsers() {
    assertThat(ADMIN.managesUser(Role.Admin, ACME)).isTrue();
    assertThat(ACME_ADMIN.managesUser(Role.User, DEV)).isTrue();
    // a DomainAdmin of its own domain is a peer: no take-over, demotion or deletion; one strictly below is its
    assertThat(ACME_ADMIN.managesUser(Role.DomainAdmin, ACME)).isFalse();
    assertThat(ACME_ADMIN.managesUser(Role.DomainAdmin, DEV)).isTrue();
    assertThat(ACME_ADMIN.managesUser(Role.DomainAdmin, ROOT)).isFalse();
    assertThat(ACME_ADMIN.managesUser(Role.DomainAdmin, ACMEX)).isFalse();
    assertThat(ACME_ADMIN.managesUser(Role.User, ACME)).isTrue();
    assertThat(ACME_ADMIN.managesUser(Role.Admin, ACME)).isFalse(); // an Admin whose account sits in acme
    assertThat(ACME_ADMIN.managesUser(Role.User, OTHER)).isFalse();
    assertThat(ACME_ADMIN.managesUser(Role.User, ACMEX)).isFalse();
    assertThat(ALICE.managesUser(Role.User, ACME)).isFalse();
  }

  @Test
  void keysForOthers() {
    assertThat(ACME_ADMIN.mayIssueKeyFor("u-bob", Role.User, DEV)).isTrue();
    assertThat(ACME_ADMIN.mayIssueKeyFor("u-da2", Role.DomainAdmin, ACME)).isFalse(); // a peer: no take-over
    assertThat(ACME_ADMIN.mayIssueKeyFor("u-dev-da", Role.DomainAdmin, DEV)).isTrue();
    assertThat(ACME_ADMIN.mayIssueKeyFor(ACME_ADMIN.caller().userId(), Role.DomainAdmin, ACME)).isTrue(); // itself
    // an Admin user whose account sits in acme: a DomainAdmin must not mint its keys
    assertThat(ACME_ADMIN.mayIssueKeyFor("u-admin2", Role.Admin, ACME)).isFalse();
    assertThat(ACME_ADMIN.mayIssueKeyFor("u-carol", Role.User, OTHER)).isFalse();
    assertThat(ALICE.mayIssueKeyFor("u-alice", Role.User, ACME)).isTrue();
    assertThat(ALICE.mayIssueKeyFor("u-bob", Role.User, ACME)).isFalse();
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
    assertThat(Scope.within(ACME, null)).isFalse();
    assertThat(Scope.within("/ROOT/acme", DEV)).isFalse(); // a prefix must end with '/'
  }

  @Test
  void aNonAdminNeedsAKnownDomainPath() {
    assertThatThrownBy(() -> Scope.of(new Caller("u", "u", "a", "d", Role.User), null))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Scope.of(new Caller("u", "u", "a", "d", Role.DomainAdmin), null))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Scope.of(new Caller("u", "u", "a", "d", Role.DomainAdmin), "/ROOT/acme"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(Scope.of(new Caller("u", "u", "a", "d", Role.Admin), null).isAdmin()).isTrue();
  }
}
