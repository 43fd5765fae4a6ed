package io.gpucloud.service.auth;

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

/** Minimal user management: create users, list them, issue API keys. */
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
  @RolesAllowed(Role.ADMIN)
  public List<UserView> list(@Auth Caller caller) {
    return jdbi.withHandle(h -> h.createQuery(SELECT_USER + " ORDER BY u.created_at, u.name")
        .map((rs, ctx) -> toView(rs))
        .list());
  }

  @POST
  @RolesAllowed(Role.ADMIN)
  public Response create(@Auth Caller caller, @NotNull @Valid CreateUserRequest req) {
    UserView user = jdbi.inTransaction(h -> {
      String accountId = req.accountId() != null && !req.accountId().isBlank()
          ? req.accountId()
          : adminAccountId(h).orElse(caller.accountId());
      boolean accountExists = h.createQuery("SELECT COUNT(*) FROM accounts WHERE id = :id")
          .bind("id", accountId).mapTo(Integer.class).one() > 0;
      if (!accountExists) {
        throw ApiException.badRequest("field 'accountId': no account with id " + accountId);
      }
      boolean nameTaken = h.createQuery("SELECT COUNT(*) FROM users WHERE name = :name")
          .bind("name", req.name()).mapTo(Integer.class).one() > 0;
      if (nameTaken) {
        throw ApiException.conflict("a user named '" + req.name() + "' already exists");
      }
      String id = UUID.randomUUID().toString();
      try {
        h.createUpdate("INSERT INTO users (id, name, account_id, role) VALUES (:id, :name, :account, :role)")
            .bind("id", id).bind("name", req.name()).bind("account", accountId).bind("role", req.role().name())
            .execute();
      } catch (StatementException e) {
        if (e.getCause() instanceof SQLIntegrityConstraintViolationException) {
          throw ApiException.conflict("a user named '" + req.name() + "' already exists");
        }
        throw e;
      }
      return findUser(h, id).orElseThrow();
    });
    return Response.created(URI.create("/api/v1/users/" + user.id())).entity(user).build();
  }

  @POST
  @Path("/{id}/keys")
  @RolesAllowed({Role.ADMIN, Role.DOMAIN_ADMIN, Role.USER})
  public Response createKey(@Auth Caller caller, @PathParam("id") String userId) {
    if (!caller.isAdmin() && !caller.userId().equals(userId)) {
      throw ApiException.forbidden("forbidden: only an Admin or the user themself may create keys for a user");
    }
    NewKey created = jdbi.inTransaction(h -> {
      if (findUser(h, userId).isEmpty()) {
        throw ApiException.notFound("no user with id " + userId);
      }
      return insertKey(h, userId);
    });
    return Response.created(URI.create("/api/v1/users/" + userId + "/keys/" + created.id())).entity(created).build();
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
      "SELECT u.id, u.name, u.account_id, a.domain_id, u.role, u.created_at"
          + " FROM users u JOIN accounts a ON a.id = u.account_id";

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
