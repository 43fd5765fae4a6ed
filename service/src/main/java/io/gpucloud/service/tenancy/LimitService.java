package io.gpucloud.service.tenancy;

import com.fasterxml.jackson.databind.JsonNode;
import io.gpucloud.controlplane.limits.LimitCheck;
import io.gpucloud.controlplane.limits.Limits;
import io.gpucloud.controlplane.limits.Resource;
import io.gpucloud.controlplane.limits.ScopeType;
import io.gpucloud.service.ApiException;
import io.gpucloud.service.auth.Caller;
import io.gpucloud.service.auth.Scope;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * Limits of accounts, domains and projects (GET: everyone who sees the scope, except that Users read
 * only their account's and projects' limits; PUT: Admin, or a DomainAdmin for scopes inside its
 * subtree but not its own domain). The global defaults are {@link SettingsService}'s.
 */
public class LimitService {
  private final Jdbi jdbi;
  private final Limits limits;
  private final Map<ScopeType, ScopedService<?, ?, ?>> objects = new EnumMap<>(ScopeType.class);

  /** objects: the services of the scoped objects that have limits, one per {@link ScopeType}. */
  public LimitService(Jdbi jdbi, Limits limits, ScopedService<?, ?, ?>... objects) {
    this.jdbi = jdbi;
    this.limits = limits;
    for (ScopedService<?, ?, ?> o : objects) {
      this.objects.put(o.type(), o);
    }
  }

  public LimitsView get(Caller caller, ScopeType type, String id) {
    return jdbi.withHandle(h -> {
      Scope scope = Scope.read(h, caller);
      String path = target(objectOf(type), h, scope, id).path();
      if (type == ScopeType.DOMAIN && !scope.readsLimitsOfDomain(path)) {
        throw ApiException.forbidden("forbidden: a User reads the limits of its own account and projects only");
      }
      return LimitsView.of(limits.usage(h, type, id));
    });
  }

  public LimitsView put(Caller caller, ScopeType type, String id, JsonNode body) {
    return jdbi.inTransaction(h -> {
      Scope scope = Scope.read(h, caller);
      Target t = target(objectOf(type), h, scope, id);
      if (!t.mayChange()) {
        throw ApiException.forbidden(type == ScopeType.DOMAIN
            ? "forbidden: the limits of domain " + t.path() + " are set by an Admin or a DomainAdmin above it"
            : "forbidden: cannot set the limits of this " + type.key());
      }
      Map<Resource, Long> changes = LimitsRequest.parse(body);
      refuseAboveParents(h, type, t.row(), changes);
      changes.forEach((r, max) -> limits.setOverride(h, type, id, r, max));
      return LimitsView.of(limits.usage(h, type, id));
    });
  }

  private ScopedService<?, ?, ?> objectOf(ScopeType type) {
    ScopedService<?, ?, ?> o = objects.get(type);
    if (o == null) {
      throw new IllegalStateException("no service for the limits of " + type.key() + "s");
    }
    return o;
  }

  /**
   * Refuses a limit (a number, not -1) above the effective limit of a scope above: for a sub-domain its
   * ancestor domains, for an account its domain and the domain's ancestors, for a project its account
   * and those domains. An unlimited scope (-1) bounds nothing; -1 on the child is allowed (it sets no
   * limit of its own: the ones above still apply). 400 naming the resource, the scope above and its value.
   */
  private void refuseAboveParents(Handle h, ScopeType type, ScopedRow row, Map<Resource, Long> changes) {
    if (changes.values().stream().noneMatch(max -> max != null && max >= 0)) {
      return;
    }
    Map<String, Long> settings = limits.settings(h);
    List<Parent> parents = new ArrayList<>();
    if (row instanceof ProjectRow p) {
      parents.add(new Parent("account " + p.accountName(),
          LimitCheck.effectiveLimits(ScopeType.ACCOUNT, false, limits.overrides(h, ScopeType.ACCOUNT, p.accountId()),
              settings)));
    }
    String path = row.domainPath();
    // the domains whose path prefixes the scope's own domain path, nearest first; for a domain, not itself
    h.createQuery("SELECT id, path, parent_id FROM domains WHERE LEFT(:path, CHAR_LENGTH(path)) = path"
            + " ORDER BY CHAR_LENGTH(path) DESC")
        .bind("path", path)
        .map((rs, ctx) -> new String[] {rs.getString("id"), rs.getString("path"), rs.getString("parent_id")})
        .list().stream()
        .filter(d -> type != ScopeType.DOMAIN || !d[0].equals(row.id()))
        .forEach(d -> parents.add(new Parent("domain " + d[1], LimitCheck.effectiveLimits(ScopeType.DOMAIN,
            d[2] == null, limits.overrides(h, ScopeType.DOMAIN, d[0]), settings))));
    changes.forEach((r, max) -> {
      if (max == null || max < 0) {
        return;
      }
      for (Parent parent : parents) {
        long bound = parent.limits().get(r);
        if (bound >= 0 && max > bound) {
          throw ApiException.badRequest(LimitsRequest.field(r) + " " + max + " is above the " + r.label()
              + " limit of " + parent.name() + " (" + bound + ")");
        }
      }
    });
  }

  /** A scope above, named for messages, with its effective limits. */
  private record Parent(String name, Map<Resource, Long> limits) {}

  /** A scope the caller sees (404 when it does not exist or is out of sight): its domain path, and whether the caller may change it. */
  private record Target(String path, boolean mayChange, ScopedRow row) {}

  private static <R extends ScopedRow> Target target(ScopedService<R, ?, ?> object, Handle h, Scope scope, String id) {
    R row = object.visible(h, scope, id);
    return new Target(row.domainPath(), object.manages(scope, row), row);
  }
}
