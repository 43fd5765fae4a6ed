package io.gpucloud.service.auth;

/**
 * What a caller may see and manage, decided from its role, account and domain path alone (pure, no
 * database). Domain paths look like {@code /ROOT/child/}; a subtree is every path with that prefix.
 *
 * <ul>
 *   <li>Admin: everything.
 *   <li>DomainAdmin: everything inside its domain's subtree (its own domain included); it manages
 *       the contents of its subtree (accounts, users, sub-domains, projects) but not its own domain
 *       itself (rename, delete, limits), and never grants the Admin role.
 *   <li>User: its own account, the account's projects, itself and its own domain (read only).
 * </ul>
 *
 * Resources answer 404 for an object the caller does not see (its existence does not leak) and 403
 * for an action on a visible object that the caller may not take.
 */
public final class Scope {
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

  /**
   * The path prefix a listing is restricted to: null for an Admin (everything), the caller's own
   * domain path otherwise (a User's listings are narrowed further by account).
   */
  public String listPrefix() {
    return isAdmin() ? null : domainPath;
  }

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
   * Issue API keys for a user the caller sees: a User for itself; a DomainAdmin for Users and
   * DomainAdmins of its subtree, never for an Admin (that would hand it the Admin role); an Admin for
   * anyone.
   */
  public boolean mayIssueKeyFor(String userId, Role userRole, String accountDomainPath) {
    if (!seesUser(userId, accountDomainPath)) {
      return false;
    }
    return isAdmin() || userRole != Role.Admin;
  }

  /**
   * Create a user with {@code role} in an account of domain {@code accountDomainPath}: only an Admin
   * grants Admin; a DomainAdmin grants DomainAdmin and User inside its subtree; a User grants nothing.
   */
  public boolean mayGrant(Role role, String accountDomainPath) {
    return switch (caller.role()) {
      case Admin -> true;
      case DomainAdmin -> role != Role.Admin && within(domainPath, accountDomainPath);
      case User -> false;
    };
  }
}
