package io.gpucloud.service.auth;

import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.dropwizard.auth.Auth;
import io.gpucloud.service.ApiException;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.sql.SQLIntegrityConstraintViolationException;
import java.sql.Timestamp;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.StatementException;

/**
 * User management, scoped by the caller like the tenancy resources (see {@link Scope}): an Admin
 * sees and manages every user; a DomainAdmin the users of its domain subtree; a User only itself.
 */
@Path("/api/v1/users")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class UserResource {

  public record CreateUserRequest(
      @NotBlank @Size(max = 255) @Pattern(regexp = "[A-Za-z0-9._@+-]+", message = "may only contain letters, digits and . _ @ + -") String name,
      @NotNull Role role,
      @Size(max = 36) String accountId) {}

  public record UserView(String id, String name, String accountId, String domainId, Role role, String createdAt) {}

  public record NewKey(String id, String key, String prefix) {}

  private final Jdbi jdbi;

  public UserResource(Jdbi jdbi) {
    this.jdbi = jdbi;
  }

  @GET
  @RolesAllowed({Role.ADMIN, Role.DOMAIN_ADMIN, Role.USER})
  public List<UserView> list(@Auth Caller caller) {
    return jdbi.withHandle(h -> {
      Scope scope = Scope.read(h, caller);
      return h.createQuery(SELECT_USER + " WHERE " + Scope.SQL_IN_LIST_PREFIX
              + " AND (:onlyUser IS NULL OR u.id = :onlyUser) ORDER BY u.created_at, u.name")
          .bind("prefix", scope.listPrefix())
          .bind("onlyUser", scope.onlyUser())
          .map((rs, ctx) -> new Scoped(toView(rs), rs.getString("domain_path")))
          .list().stream()
          .filter(u -> scope.seesUser(u.user().id(), u.domainPath()))
          .map(Scoped::user)
          .toList();
    });
  }

  @GET
  @Path("/{id}")
  @RolesAllowed({Role.ADMIN, Role.DOMAIN_ADMIN, Role.USER})
  public UserView get(@Auth Caller caller, @PathParam("id") String userId) {
    return jdbi.withHandle(h -> {
      Scope scope = Scope.read(h, caller);
      return findScoped(h, userId)
          .filter(u -> scope.seesUser(u.user().id(), u.domainPath()))
          .map(Scoped::user)
          .orElseThrow(() -> ApiException.notFound("no user with id " + userId));
    });
  }

  /**
   * Admin: a user with any role in any account (default: the admin account). DomainAdmin: a User or
   * DomainAdmin in an account of its subtree (default: its own account). Only an Admin grants Admin.
   */
  @POST
  @RolesAllowed({Role.ADMIN, Role.DOMAIN_ADMIN})
  @ApiResponse(responseCode = "201", description = "the user; Location names it",
      content = @Content(schema = @Schema(implementation = UserView.class)))
  public Response create(@Auth Caller caller, @NotNull @Valid CreateUserRequest req) {
    UserView user = jdbi.inTransaction(h -> {
      Scope scope = Scope.read(h, caller);
      String accountId = req.accountId() != null && !req.accountId().isBlank()
          ? req.accountId().trim()
          : (scope.isAdmin() ? adminAccountId(h).orElse(caller.accountId()) : caller.accountId());
      Optional<String> accountPath = h.createQuery(
              "SELECT d.path FROM accounts a JOIN domains d ON d.id = a.domain_id WHERE a.id = :id")
          .bind("id", accountId).mapTo(String.class).findFirst();
      // an account the caller cannot see reads as missing, so its existence does not leak
      if (accountPath.isEmpty() || !scope.managesContentsOf(accountPath.get())) {
        throw ApiException.badRequest("field 'accountId': no account with id " + accountId);
      }
      if (!scope.mayGrant(req.role(), accountPath.get())) {
        throw cannotGrant(req.role());
      }
      // names are unique per account (V12): the answer speaks of an account the caller manages only
      boolean nameTaken = h.createQuery("SELECT COUNT(*) FROM users WHERE account_id = :account AND name = :name")
          .bind("account", accountId).bind("name", req.name()).mapTo(Integer.class).one() > 0;
      if (nameTaken) {
        throw nameTaken(req.name());
      }
      String id = UUID.randomUUID().toString();
      try {
        h.createUpdate("INSERT INTO users (id, name, account_id, role) VALUES (:id, :name, :account, :role)")
            .bind("id", id).bind("name", req.name()).bind("account", accountId).bind("role", req.role().name())
            .execute();
      } catch (StatementException e) {
        if (e.getCause() instanceof SQLIntegrityConstraintViolationException) {
          throw nameTaken(req.name());
        }
        throw e;
      }
      return findUser(h, id).orElseThrow();
    });
    return Response.created(URI.create("/api/v1/users/" + user.id())).entity(user).build();
  }

  /**
   * A User creates keys for itself only; a DomainAdmin for the users of its subtree except Admins;
   * an Admin for anyone. A user the caller cannot see is 404.
   */
  @POST
  @Path("/{id}/keys")
  @RolesAllowed({Role.ADMIN, Role.DOMAIN_ADMIN, Role.USER})
  @ApiResponse(responseCode = "201", description = "the new key (shown once); Location names it",
      content = @Content(schema = @Schema(implementation = NewKey.class)))
  public Response createKey(@Auth Caller caller, @PathParam("id") String userId) {
    NewKey created = jdbi.inTransaction(h -> {
      Scope scope = Scope.read(h, caller);
      Scoped target = findScoped(h, userId)
          .filter(u -> scope.seesUser(u.user().id(), u.domainPath()))
          .orElseThrow(() -> ApiException.notFound("no user with id " + userId));
      if (!scope.mayIssueKeyFor(target.user().id(), target.user().role(), target.domainPath())) {
        throw ApiException.forbidden(target.user().role() == Role.Admin
            ? "forbidden: only an Admin may create keys for an Admin"
            : "forbidden: user " + userId + " is outside what you manage (a DomainAdmin manages the DomainAdmins"
                + " of domains below its own only)");
      }
      return insertKey(h, userId);
    });
    return Response.created(URI.create("/api/v1/users/" + userId + "/keys/" + created.id())).entity(created).build();
  }

  public record UpdateUserRequest(@NotNull Role role) {}

  /** Changes a user's role, with the same granting rules as create; the last Admin stays Admin. */
  @jakarta.ws.rs.PUT
  @Path("/{id}")
  @RolesAllowed({Role.ADMIN, Role.DOMAIN_ADMIN})
  public UserView update(@Auth Caller caller, @PathParam("id") String userId, @NotNull @Valid UpdateUserRequest req) {
    return jdbi.inTransaction(h -> {
      Scope scope = Scope.read(h, caller);
      Scoped target = managed(scope, h, userId);
      if (!scope.mayGrant(req.role(), target.domainPath())) {
        throw cannotGrant(req.role());
      }
      if (target.user().role() == Role.Admin && req.role() != Role.Admin && otherAdmins(h, userId) == 0) {
        throw ApiException.conflict("user " + userId + " is the last Admin");
      }
      h.createUpdate("UPDATE users SET role = :role WHERE id = :id").bind("role", req.role().name())
          .bind("id", userId).execute();
      return findUser(h, userId).orElseThrow();
    });
  }

  /** Deletes a user and its API keys (they stop working at once). Not oneself, not the last Admin. */
  @jakarta.ws.rs.DELETE
  @Path("/{id}")
  @RolesAllowed({Role.ADMIN, Role.DOMAIN_ADMIN})
  public void delete(@Auth Caller caller, @PathParam("id") String userId) {
    jdbi.useTransaction(h -> {
      Scoped target = managed(Scope.read(h, caller), h, userId);
      if (userId.equals(caller.userId())) {
        throw ApiException.conflict("a user cannot delete itself");
      }
      if (target.user().role() == Role.Admin && otherAdmins(h, userId) == 0) {
        throw ApiException.conflict("user " + userId + " is the last Admin");
      }
      h.createUpdate("DELETE FROM users WHERE id = :id").bind("id", userId).execute(); // keys cascade
    });
  }

  /** Revokes one API key of a user: the user itself, or whoever may issue keys for it. */
  @jakarta.ws.rs.DELETE
  @Path("/{id}/keys/{keyId}")
  @RolesAllowed({Role.ADMIN, Role.DOMAIN_ADMIN, Role.USER})
  public void revokeKey(@Auth Caller caller, @PathParam("id") String userId, @PathParam("keyId") String keyId) {
    jdbi.useTransaction(h -> {
      Scope scope = Scope.read(h, caller);
      Scoped target = findScoped(h, userId)
          .filter(u -> scope.seesUser(u.user().id(), u.domainPath()))
          .filter(u -> scope.mayIssueKeyFor(u.user().id(), u.user().role(), u.domainPath()))
          .orElseThrow(() -> ApiException.notFound("no user with id " + userId));
      int n = h.createUpdate("DELETE FROM api_keys WHERE id = :key AND user_id = :user").bind("key", keyId)
          .bind("user", target.user().id()).execute();
      if (n == 0) {
        throw ApiException.notFound("no key " + keyId + " for user " + userId);
      }
    });
  }

  private static ApiException nameTaken(String name) {
    return ApiException.conflict("a user named '" + name + "' already exists in that account");
  }

  private static ApiException cannotGrant(Role role) {
    return ApiException.forbidden(role == Role.Admin
        ? "forbidden: only an Admin may grant the role Admin"
        : "forbidden: a DomainAdmin grants the role " + role + " only in domains below its own");
  }

  /** A user the caller may manage; one it cannot see is 404, one it sees but may not manage 403. */
  private static Scoped managed(Scope scope, Handle h, String userId) {
    Scoped target = findScoped(h, userId)
        .filter(u -> scope.seesUser(u.user().id(), u.domainPath()))
        .orElseThrow(() -> ApiException.notFound("no user with id " + userId));
    if (!scope.managesUser(target.user().role(), target.domainPath())) {
      throw ApiException.forbidden("forbidden: user " + userId + " is outside what you manage"
          + (target.user().role() == Role.DomainAdmin ? " (a DomainAdmin manages the DomainAdmins of domains below"
              + " its own only)" : ""));
    }
    return target;
  }

  private static int otherAdmins(Handle h, String userId) {
    return h.createQuery("SELECT COUNT(*) FROM users WHERE role = 'Admin' AND id <> :id FOR UPDATE")
        .bind("id", userId).mapTo(Integer.class).one();
  }

  /** Stores a new key for the user and returns it (the only time the key itself is available). */
  public static NewKey insertKey(Handle h, String userId) {
    String key = ApiKeys.generate();
    String id = UUID.randomUUID().toString();
    String prefix = ApiKeys.prefix(key);
    h.createUpdate("INSERT INTO api_keys (id, user_id, key_hash, prefix) VALUES (:id, :user, :hash, :prefix)")
        .bind("id", id).bind("user", userId).bind("hash", ApiKeys.hash(key)).bind("prefix", prefix)
        .execute();
    return new NewKey(id, key, prefix);
  }

  private static final String SELECT_USER =
      "SELECT u.id, u.name, u.account_id, a.domain_id, u.role, u.created_at, d.path AS domain_path"
          + " FROM users u JOIN accounts a ON a.id = u.account_id JOIN domains d ON d.id = a.domain_id";

  /** A user with the path of its account's domain (for scoping). */
  private record Scoped(UserView user, String domainPath) {}

  private static Optional<Scoped> findScoped(Handle h, String id) {
    return h.createQuery(SELECT_USER + " WHERE u.id = :id").bind("id", id)
        .map((rs, ctx) -> new Scoped(toView(rs), rs.getString("domain_path"))).findFirst();
  }

  private static Optional<UserView> findUser(Handle h, String id) {
    return h.createQuery(SELECT_USER + " WHERE u.id = :id").bind("id", id)
        .map((rs, ctx) -> toView(rs)).findFirst();
  }

  private static Optional<String> adminAccountId(Handle h) {
    return h.createQuery("SELECT a.id FROM accounts a JOIN domains d ON d.id = a.domain_id"
            + " WHERE d.parent_id IS NULL AND d.name = 'ROOT' AND a.name = :name")
        .bind("name", AdminBootstrap.ADMIN_ACCOUNT)
        .mapTo(String.class).findFirst();
  }

  private static UserView toView(java.sql.ResultSet rs) throws java.sql.SQLException {
    Timestamp created = rs.getTimestamp("created_at");
    return new UserView(
        rs.getString("id"),
        rs.getString("name"),
        rs.getString("account_id"),
        rs.getString("domain_id"),
        Role.valueOf(rs.getString("role")),
        created == null ? null : created.toInstant().toString());
  }
}
