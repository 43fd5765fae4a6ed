package io.gpucloud.service.console;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gpucloud.controlplane.limits.ScopeType;
import io.gpucloud.service.ApiException;
import io.gpucloud.service.auth.Caller;
import io.gpucloud.service.auth.Role;
import io.gpucloud.service.auth.UserResource;
import io.gpucloud.service.tenancy.AccountRequest;
import io.gpucloud.service.tenancy.AccountService;
import io.gpucloud.service.tenancy.DomainRequest;
import io.gpucloud.service.tenancy.DomainService;
import io.gpucloud.service.tenancy.DomainSettingsService;
import io.gpucloud.service.tenancy.LimitService;
import io.gpucloud.service.tenancy.LimitsView;
import io.gpucloud.service.tenancy.ProjectRequest;
import io.gpucloud.service.tenancy.ProjectService;
import io.swagger.v3.oas.annotations.Hidden;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.Validator;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Domains (with gpu.detach.on.stop), accounts, projects, users and their API keys, and limits: each
 * list and action scoped by the same services as the API (a User sees its own account, a DomainAdmin its
 * subtree, an Admin everything).
 */
@Hidden
@Path("/console")
@ConsoleAuth
@Produces(MediaType.TEXT_HTML)
public class TenancyPages extends ConsolePages {
  /** One line of the limits page: "GPUs Used / Limit : 1 / 20 5.00%". */
  public record LimitLine(String label, long used, String limit, String percent) {}

  private final DomainService domains;
  private final AccountService accounts;
  private final ProjectService projects;
  private final LimitService limits;
  private final DomainSettingsService settings;
  private final UserResource users;
  private final Validator validator;

  public TenancyPages(DomainService domains, AccountService accounts, ProjectService projects, LimitService limits,
      DomainSettingsService settings, UserResource users, Validator validator) {
    this.domains = domains;
    this.accounts = accounts;
    this.projects = projects;
    this.limits = limits;
    this.settings = settings;
    this.users = users;
    this.validator = validator;
  }

  // ---- domains ----

  @GET
  @Path("/domains")
  public Response domains(@Context ContainerRequestContext ctx, @QueryParam("msg") String msg,
      @QueryParam("err") String err) {
    Caller c = caller(ctx);
    return page(ctx, "domains", "Domains", msg, err, () -> {
      List<Object> rows = new ArrayList<>();
      domains.list(c, null, null).forEach(d -> rows.add(data("d", d,
          "detach", detachOf(c, d.id()))));
      return data("domains", rows);
    });
  }

  private String detachOf(Caller c, String domainId) {
    try {
      DomainSettingsService.Setting s = settings.get(c, domainId).settings().get("gpu.detach.on.stop");
      return s == null ? "" : s.value() + (s.own() ? "" : " (inherited)");
    } catch (ApiException e) {
      return "";
    }
  }

  @POST
  @Path("/domains")
  @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
  public Response createDomain(@Context ContainerRequestContext ctx, @FormParam("name") String name,
      @FormParam("parentId") String parentId) {
    return act("/console/domains", () -> "Domain " + domains.create(caller(ctx),
        new DomainRequest(name, blankToNull(parentId))).path() + " created");
  }

  @POST
  @Path("/domains/{id}/settings")
  @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
  public Response detach(@Context ContainerRequestContext ctx, @PathParam("id") String id,
      @FormParam("detach") String detach) {
    return act("/console/domains", () -> {
      ObjectNode body = JsonNodeFactory.instance.objectNode();
      switch (detach == null ? "" : detach) {
        case "true" -> body.put("gpu.detach.on.stop", true);
        case "false" -> body.put("gpu.detach.on.stop", false);
        default -> body.putNull("gpu.detach.on.stop");
      }
      settings.put(caller(ctx), id, body);
      return "gpu.detach.on.stop set";
    });
  }

  // ---- accounts and projects ----

  @GET
  @Path("/accounts")
  public Response accounts(@Context ContainerRequestContext ctx, @QueryParam("msg") String msg,
      @QueryParam("err") String err) {
    Caller c = caller(ctx);
    return page(ctx, "accounts", "Accounts", msg, err,
        () -> data("accounts", accounts.list(c, null, null), "domains", domainsOrNone(c)));
  }

  private List<?> domainsOrNone(Caller c) {
    return c.role() == Role.User ? List.of() : domains.list(c, null, null);
  }

  @POST
  @Path("/accounts")
  @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
  public Response createAccount(@Context ContainerRequestContext ctx, @FormParam("name") String name,
      @FormParam("domainId") String domainId) {
    return act("/console/accounts", () -> "Account " + accounts.create(caller(ctx),
        new AccountRequest(name, blankToNull(domainId))).name() + " created");
  }

  @GET
  @Path("/projects")
  public Response projects(@Context ContainerRequestContext ctx, @QueryParam("msg") String msg,
      @QueryParam("err") String err) {
    Caller c = caller(ctx);
    return page(ctx, "projects", "Projects", msg, err,
        () -> data("projects", projects.list(c, null, null), "accounts", accounts.list(c, null, null)));
  }

  @POST
  @Path("/projects")
  @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
  public Response createProject(@Context ContainerRequestContext ctx, @FormParam("name") String name,
      @FormParam("accountId") String accountId) {
    return act("/console/projects", () -> "Project " + projects.create(caller(ctx),
        new ProjectRequest(name, blankToNull(accountId))).name() + " created");
  }

  // ---- users and keys ----

  @GET
  @Path("/users")
  public Response users(@Context ContainerRequestContext ctx, @QueryParam("msg") String msg,
      @QueryParam("err") String err) {
    Caller c = caller(ctx);
    return page(ctx, "users", "Users", msg, err, () -> data("users", users.list(c),
        "accounts", c.role() == Role.User ? List.of() : accounts.list(c, null, null), "newKey", null));
  }

  @POST
  @Path("/users")
  @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
  public Response createUser(@Context ContainerRequestContext ctx, @FormParam("name") String name,
      @FormParam("role") String role, @FormParam("accountId") String accountId) {
    return act("/console/users", () -> {
      Role r;
      try {
        r = Role.valueOf(role == null ? "" : role);
      } catch (IllegalArgumentException e) {
        throw ApiException.badRequest("role must be one of Admin, DomainAdmin, User");
      }
      UserResource.CreateUserRequest req = new UserResource.CreateUserRequest(name, r, blankToNull(accountId));
      Set<ConstraintViolation<UserResource.CreateUserRequest>> bad = validator.validate(req);
      if (!bad.isEmpty()) {
        throw ApiException.badRequest(bad.stream().map(v -> v.getPropertyPath() + " " + v.getMessage())
            .sorted().collect(Collectors.joining("; ")));
      }
      UserResource.UserView u = (UserResource.UserView) users.create(caller(ctx), req).getEntity();
      return "User " + u.name() + " created";
    });
  }

  /** A new key: shown once, on this page only (it is not stored, nor put in a URL). */
  @POST
  @Path("/users/{id}/keys")
  @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
  public Response createKey(@Context ContainerRequestContext ctx, @PathParam("id") String id) {
    Caller c = caller(ctx);
    try {
      UserResource.NewKey key = (UserResource.NewKey) users.createKey(c, id).getEntity();
      return page(ctx, "users", "Users", "New API key for user " + id + " (shown once):", null, data(
          "users", users.list(c), "accounts", c.role() == Role.User ? List.of() : accounts.list(c, null, null),
          "newKey", key));
    } catch (ApiException e) {
      return redirect("/console/users", null, e.getMessage());
    }
  }

  @POST
  @Path("/users/{id}/keys/revoke")
  @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
  public Response revokeKey(@Context ContainerRequestContext ctx, @PathParam("id") String id,
      @FormParam("keyId") String keyId) {
    return act("/console/users", () -> {
      users.revokeKey(caller(ctx), id, keyId == null ? "" : keyId.trim());
      return "Key revoked";
    });
  }

  // ---- limits ----

  @GET
  @Path("/limits")
  public Response limits(@Context ContainerRequestContext ctx, @QueryParam("type") String type,
      @QueryParam("id") String id, @QueryParam("msg") String msg, @QueryParam("err") String err) {
    Caller c = caller(ctx);
    return page(ctx, "limits", "Limits", msg, err, () -> {
      ScopeType t = scopeType(type);
      String target = blankToNull(id) == null ? (t == ScopeType.DOMAIN ? c.domainId() : c.accountId()) : id.trim();
      if (blankToNull(id) == null && t == ScopeType.PROJECT) {
        t = ScopeType.ACCOUNT;
      }
      LimitsView l = limits.get(c, t, target);
      String name = switch (t) {
        case ACCOUNT -> accounts.get(c, target).name();
        case DOMAIN -> domains.get(c, target).path();
        case PROJECT -> projects.get(c, target).name();
      };
      return data("lines", lines(l), "type", t.key(), "id", target, "name", name, "l", l);
    });
  }

  @POST
  @Path("/limits")
  @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
  public Response setLimits(@Context ContainerRequestContext ctx, @FormParam("type") String type,
      @FormParam("id") String id, @FormParam("gpuLimit") String gpu, @FormParam("instanceLimit") String inst,
      @FormParam("cpuLimit") String cpu, @FormParam("memoryLimit") String mem) {
    String back = "/console/limits?type=" + (type == null ? "account" : type) + "&id=" + (id == null ? "" : id);
    return act(back, () -> {
      ObjectNode body = JsonNodeFactory.instance.objectNode();
      putLimit(body, "gpuLimit", gpu);
      putLimit(body, "instanceLimit", inst);
      putLimit(body, "cpuLimit", cpu);
      putLimit(body, "memoryLimit", mem);
      limits.put(caller(ctx), scopeType(type), id, body);
      return "Limits saved";
    });
  }

  private static void putLimit(ObjectNode body, String field, String value) {
    Long v = longOrNull(value);
    if (v != null) {
      body.put(field, v);
    }
  }

  private static ScopeType scopeType(String type) {
    try {
      return type == null || type.isBlank() ? ScopeType.ACCOUNT : ScopeType.valueOf(type.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw ApiException.badRequest("type must be account, domain or project");
    }
  }

  static List<LimitLine> lines(LimitsView l) {
    return List.of(
        line("GPUs", l.gpuTotal(), l.gpuLimit()),
        line("Instances", l.instanceTotal(), l.instanceLimit()),
        line("CPU cores", l.cpuTotal(), l.cpuLimit()),
        line("Memory (MiB)", l.memoryTotal(), l.memoryLimit()));
  }

  /** used of limit; -1 is unlimited (no percentage). */
  static LimitLine line(String label, long used, long limit) {
    if (limit < 0) {
      return new LimitLine(label, used, "Unlimited", "");
    }
    String pct = limit == 0 ? (used == 0 ? "0.00%" : "100.00%")
        : String.format(Locale.ROOT, "%.2f%%", used * 100.0 / limit);
    return new LimitLine(label, used, Long.toString(limit), pct);
  }
}
