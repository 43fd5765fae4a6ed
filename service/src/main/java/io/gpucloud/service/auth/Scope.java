package io.gpucloud.service.auth;

import io.gpucloud.service.ApiException;
import org.jdbi.v3.core.Handle;

/**
 * The one visibility rule: what a caller may see and manage, decided from its role, account and
 * domain path alone (pure; only {@link #read} touches the database, to learn the path). Every
 * resource and service asks this class, in Java with the {@code sees}/{@code manages} methods and in
 * SQL with {@link #SQL_IN_LIST_PREFIX} bound to {@link #listPrefix()} plus the {@code only...}
 * narrowing of a User. Domain paths look like {@code /ROOT/child/}; a subtree is every path with that
 * prefix, compared case-insensitively like the database's collation (utf8mb4_unicode_ci) and never
 * with LIKE: '_' and '%' may stand in domain names.
 *
 * <ul>
 *   <li>Admin: everything.
 *   <li>DomainAdmin: everything inside its domain's subtree (its own domain included); it manages
 *       the contents of its subtree (accounts, users, sub-domains, projects) but not its own domain
 *       itself (rename, delete, limits), and never grants the Admin role. Of the users, it manages the
 *       Users of its subtree but a DomainAdmin only when that one's account lies strictly below its
 *       own domain: never a peer of its own domain (no take-over, demotion or deletion among equals),
 *       never one above.
 *   <li>User: its own account, the account's projects and instances (and their devices), itself and
 *       its own domain (read only).
 * </ul>
 *
 * Offerings and templates are not scoped: every role reads them, only an Admin writes them (the
 * resources' {@code @RolesAllowed}); likewise the hardware inventory is the Admin's, except that a
 * tenant lists the devices of the instances it sees ({@link #seesDevice}).
 *
 * <p>Resources answer 404 for an object the caller does not see (its existence does not leak) and 403
 * for an action on a visible object that the caller may not take.
 */
public final class Scope {
  /**
   * The SQL twin of {@link #within} for listings: the row's domain (table alias {@code d}) lies in the
   * caller's scope, i.e. {@code :prefix} is null (an Admin: every row) or {@code d.path} starts with
   * it. Bind {@code :prefix} to {@link #listPrefix()}. LEFT() compares the characters as they are,
   * where LIKE would read '_' and '%' in a domain name as wildcards.
   */
  public static final String SQL_IN_LIST_PREFIX = "(:prefix IS NULL OR LEFT(d.path, CHAR_LENGTH(:prefix)) = :prefix)";

  private final Caller caller;
  private final String domainPath;

  private Scope(Caller caller, String domainPath) {
    this.caller = caller;
    this.domainPath = domainPath;
  }

  /** The scope of a caller whose account's domain has path {@code callerDomainPath}. */
  public static Scope of(Caller caller, String callerDomainPath) {
    if (caller == null || caller.role() == null) {
      throw new IllegalArgumentException("no caller");
    }
    if (caller.role() != Role.Admin && (callerDomainPath == null || !callerDomainPath.endsWith("/"))) {
      throw new IllegalArgumentException("the caller's domain path is unknown");
    }
    return new Scope(caller, callerDomainPath);
  }

  /**
   * The caller's scope with its domain path read on {@code h} (one primary-key read with the fluent
   * API, no SqlObject to attach). A caller other than an Admin whose domain cannot be read gets 403,
   * never a scope without a prefix (which would see everything).
   */
  public static Scope read(Handle h, Caller caller) {
    String path = h.createQuery("SELECT path FROM domains WHERE id = :id").bind("id", caller.domainId())
        .mapTo(String.class).findFirst().orElse(null);
    if (path == null && caller.role() != Role.Admin) {
      throw ApiException.forbidden("forbidden: the caller's domain no longer exists");
    }
    return of(caller, path);
  }

  public Caller caller() {
    return caller;
  }

  public Role role() {
    return caller.role();
  }

  public boolean isAdmin() {
    return caller.role() == Role.Admin;
  }

  public boolean isDomainAdmin() {
    return caller.role() == Role.DomainAdmin;
  }

  /** The caller's domain path (/ROOT/...). */
  public String domainPath() {
    return domainPath;
  }

  // ---- listings (bind these to the SQL) ----

  /**
   * The path prefix a listing is restricted to ({@code :prefix} of {@link #SQL_IN_LIST_PREFIX}): null
   * for an Admin (everything), the caller's own domain path otherwise (a User's listings are narrowed
   * further by the {@code only...} methods).
   */
  public String listPrefix() {
    return isAdmin() ? null : domainPath;
  }

  /** A User's listings of accounts, projects and instances hold its own account only; null for the others. */
  public String onlyAccount() {
    return caller.role() == Role.User ? caller.accountId() : null;
  }

  /** A User's listing of users holds itself only; null for the others. */
  public String onlyUser() {
    return caller.role() == Role.User ? caller.userId() : null;
  }

  /** A User's listing of domains holds its own domain only; null for the others. */
  public String onlyDomainPath() {
    return caller.role() == Role.User ? domainPath : null;
  }

  // ---- paths ----

  /** Whether {@code path} is {@code prefix} or below it. Case-insensitive, like the database's collation. */
  public static boolean within(String prefix, String path) {
    return prefix != null && path != null && prefix.endsWith("/")
        && path.regionMatches(true, 0, prefix, 0, prefix.length());
  }

  /** Whether {@code path} is strictly below {@code prefix}. */
  public static boolean strictlyWithin(String prefix, String path) {
    return within(prefix, path) && path.length() > prefix.length();
  }

  // ---- domains ----

  /** Admin: all; DomainAdmin: its subtree; User: its own domain. */
  public boolean seesDomain(String path) {
    return switch (caller.role()) {
      case Admin -> true;
      case DomainAdmin -> within(domainPath, path);
      case User -> path != null && path.equalsIgnoreCase(domainPath);
    };
  }

  /** Create accounts, users, projects and sub-domains in the domain: Admin, or DomainAdmin in its subtree. */
  public boolean managesContentsOf(String path) {
    return switch (caller.role()) {
      case Admin -> true;
      case DomainAdmin -> within(domainPath, path);
      case User -> false;
    };
  }

  /**
   * Read the limits of a domain: Admin all, DomainAdmin its subtree (its own domain included); a User
   * reads the limits of its account and projects only.
   */
  public boolean readsLimitsOfDomain(String path) {
    return switch (caller.role()) {
      case Admin -> true;
      case DomainAdmin -> within(domainPath, path);
      case User -> false;
    };
  }

  /** Rename, delete or set the limits of the domain itself: Admin, or DomainAdmin strictly below its own. */
  public boolean managesDomain(String path) {
    return switch (caller.role()) {
      case Admin -> true;
      case DomainAdmin -> strictlyWithin(domainPath, path);
      case User -> false;
    };
  }

  // ---- accounts and projects ----

  /** Admin: all; DomainAdmin: accounts of its subtree; User: its own account. */
  public boolean seesAccount(String accountId, String accountDomainPath) {
    return switch (caller.role()) {
      case Admin -> true;
      case DomainAdmin -> within(domainPath, accountDomainPath);
      case User -> accountId != null && accountId.equals(caller.accountId());
    };
  }

  /** Rename, delete, set limits of an account (or a project) in a domain. */
  public boolean managesAccount(String accountDomainPath) {
    return managesContentsOf(accountDomainPath);
  }

  /** A project is seen by whoever sees its owner account. */
  public boolean seesProject(String ownerAccountId, String domainPath) {
    return seesAccount(ownerAccountId, domainPath);
  }

  public boolean managesProject(String domainPath) {
    return managesContentsOf(domainPath);
  }

  // ---- instances and their devices ----

  /** An instance is seen by whoever sees its account: Admin all, DomainAdmin its subtree's, User its own account's. */
  public boolean seesInstance(String accountId, String accountDomainPath) {
    return seesAccount(accountId, accountDomainPath);
  }

  /**
   * Deploy an instance for an account (into one of its projects): whoever sees the account; so a User
   * only for its own account.
   */
  public boolean mayDeployFor(String accountId, String accountDomainPath) {
    return seesAccount(accountId, accountDomainPath);
  }

  /**
   * A GPU device: an Admin sees every one; anyone else only a device held by an instance it sees
   * ({@code holderAccountId} null: a device no instance holds).
   */
  public boolean seesDevice(String holderAccountId, String holderDomainPath) {
    return isAdmin() || (holderAccountId != null && seesInstance(holderAccountId, holderDomainPath));
  }

  // ---- users ----

  /** Admin: all; DomainAdmin: users of accounts in its subtree; User: itself. */
  public boolean seesUser(String userId, String accountDomainPath) {
    return switch (caller.role()) {
      case Admin -> true;
      case DomainAdmin -> within(domainPath, accountDomainPath);
      case User -> userId != null && userId.equals(caller.userId());
    };
  }

  /**
   * Change the role of, delete, or issue and revoke the keys of a user of role {@code userRole} whose
   * account is in {@code accountDomainPath}: an Admin anyone; a DomainAdmin the Users of its subtree
   * and the DomainAdmins strictly below its own domain (not those of its own domain: they are its
   * peers), never an Admin; a User nobody.
   */
  public boolean managesUser(Role userRole, String accountDomainPath) {
    return switch (caller.role()) {
      case Admin -> true;
      case DomainAdmin -> switch (userRole) {
        case User -> within(domainPath, accountDomainPath);
        case DomainAdmin -> strictlyWithin(domainPath, accountDomainPath);
        case Admin -> false;
      };
      case User -> false;
    };
  }

  /**
   * Issue (and revoke) API keys for a user the caller sees: anyone for itself; otherwise whoever manages
   * the user ({@link #managesUser}): a key is the user's power, so a DomainAdmin mints none for a peer
   * DomainAdmin or an Admin.
   */
  public boolean mayIssueKeyFor(String userId, Role userRole, String accountDomainPath) {
    if (!seesUser(userId, accountDomainPath)) {
      return false;
    }
    return isAdmin() || (userId != null && userId.equals(caller.userId())) || managesUser(userRole, accountDomainPath);
  }

  /**
   * Create a user with {@code role} in an account of domain {@code accountDomainPath}, or give a user
   * that role: only an Admin grants Admin; a DomainAdmin grants User inside its subtree and DomainAdmin
   * strictly below its own domain (a user it could not manage afterwards is not its to make); a User
   * grants nothing.
   */
  public boolean mayGrant(Role role, String accountDomainPath) {
    return managesUser(role, accountDomainPath);
  }
}
