package io.gpucloud.service.tenancy;

import com.fasterxml.jackson.databind.JsonNode;
import io.gpucloud.controlplane.limits.Limits;
import io.gpucloud.controlplane.limits.Resource;
import io.gpucloud.controlplane.limits.ScopeType;
import io.gpucloud.service.ApiException;
import io.gpucloud.service.auth.Caller;
import io.gpucloud.service.auth.Scope;
import java.util.EnumMap;
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

  /** A scope the caller sees (404 when it does not exist or is out of sight): its domain path, and whether the caller may change it. */
  private record Target(String path, boolean mayChange) {}

  private static <R extends ScopedRow> Target target(ScopedService<R, ?, ?> object, Handle h, Scope scope, String id) {
    R row = object.visible(h, scope, id);
    return new Target(row.domainPath(), object.manages(scope, row));
  }
}
