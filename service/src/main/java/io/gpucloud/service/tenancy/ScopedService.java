package io.gpucloud.service.tenancy;

import io.gpucloud.controlplane.limits.Limits;
import io.gpucloud.controlplane.limits.ScopeType;
import io.gpucloud.service.ApiException;
import io.gpucloud.service.auth.Caller;
import io.gpucloud.service.auth.Scope;
import io.gpucloud.service.common.Checks;
import io.gpucloud.service.common.SqlErrors;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.JdbiException;

/**
 * What the scoped tenancy objects (domains, accounts, projects) share: one transaction per change
 * with the caller's {@link Scope} read in it; 404 for an object the caller does not see, checked
 * before the 403 for a change it may not make; the row locked before it is read for a change; the
 * object's limit overrides deleted with it; MariaDB's constraint errors turned into 409 or 400.
 *
 * <p>A subclass says, for its kind of object, how one is found, locked, seen, managed, created,
 * renamed and deleted, and what its messages say; with its {@link ScopedResource} (the routes) that is
 * all a new scoped object needs.
 *
 * @param <R> the row
 * @param <Q> the body of POST and PUT
 * @param <V> the JSON view
 */
public abstract class ScopedService<R extends ScopedRow, Q, V extends ScopedView> {
  protected final Jdbi jdbi;
  protected final Limits limits;
  private final ScopeType type;
  private final String parentField;

  /**
   * @param type the kind of object, which also names it in messages ("account") and its limits
   * @param parentField the query parameter that filters a listing by parent, e.g. "domainId"
   */
  protected ScopedService(Jdbi jdbi, Limits limits, ScopeType type, String parentField) {
    this.jdbi = jdbi;
    this.limits = limits;
    this.type = type;
    this.parentField = parentField;
  }

  public ScopeType type() {
    return type;
  }

  // ---- what each kind of object says ----

  /** A POST body, validated: the name and the parent's id as given (null: the caller's own). */
  record NewObject(String name, String parentId) {}

  abstract Optional<R> find(TenancyDao dao, String id);

  /** Locks the object's row (SELECT ... FOR UPDATE) and reads it, ahead of a change. */
  abstract Optional<R> lock(TenancyDao dao, String id);

  abstract boolean sees(Scope scope, R row);

  /** Whether the caller may change (rename, delete, set the limits of) the object. */
  abstract boolean manages(Scope scope, R row);

  abstract V view(R row);

  /** A listing, narrowed in SQL by the scope (the rows are then checked with {@link #sees}). */
  abstract List<R> rows(TenancyDao dao, Scope scope, String parentId, String name);

  abstract NewObject validateCreate(Q request);

  /** The new name of a PUT, or null when left out; 400 when the body tries to move the object. */
  abstract String validateUpdate(Q request, R current);

  /** The name given in a PUT body, as it came (for the duplicate-name message). */
  abstract String nameOf(Q request);

  /** Finds the parent (400 when the caller does not see it), checks the caller manages it (403), inserts; the new id. */
  abstract String insert(TenancyDao dao, Scope scope, Caller caller, NewObject v);

  abstract void rename(TenancyDao dao, R row, String newName);

  /** 409 while something still needs the object. */
  abstract void refuseDelete(TenancyDao dao, Caller caller, R row);

  abstract void remove(TenancyDao dao, String id);

  /** The 409 message of a name taken by a sibling. */
  abstract String duplicateName(String name);

  /** The 400 message when the parent vanished before the insert; null when that cannot happen. */
  String missingParent(NewObject v) {
    return null;
  }

  /** The 409 message when a foreign key refuses the delete; null when none can. */
  String stillReferenced(String id) {
    return null;
  }

  /** The 403 message of a change ("change", "delete") the caller may not make. */
  String forbidden(String action, R row) {
    return "forbidden: cannot " + action + " " + type.key() + " " + row.name();
  }

  // ---- the same for every kind ----

  public V create(Caller caller, Q request) {
    NewObject v = validateCreate(Checks.body(request));
    try {
      return jdbi.inTransaction(h -> {
        TenancyDao dao = h.attach(TenancyDao.class);
        String id = insert(dao, Scope.read(h, caller), caller, v);
        return view(find(dao, id).orElseThrow());
      });
    } catch (JdbiException e) {
      if (SqlErrors.duplicateKey(e)) {
        throw ApiException.conflict(duplicateName(v.name()));
      }
      if (missingParent(v) != null && SqlErrors.missingParent(e)) {
        throw ApiException.badRequest(missingParent(v));
      }
      throw e;
    }
  }

  public List<V> list(Caller caller, String parentId, String name) {
    String p = TenancyChecks.optionalId(parentField, parentId);
    String n = Checks.optionalText("name", name, Checks.MAX_NAME);
    return jdbi.withHandle(h -> {
      Scope scope = Scope.read(h, caller);
      return rows(h.attach(TenancyDao.class), scope, p, n).stream()
          .filter(r -> sees(scope, r))
          .map(this::view)
          .toList();
    });
  }

  public V get(Caller caller, String id) {
    return jdbi.withHandle(h -> view(visible(h, Scope.read(h, caller), id)));
  }

  public V update(Caller caller, String id, Q request) {
    Q r = Checks.body(request);
    try {
      return jdbi.inTransaction(h -> {
        TenancyDao dao = h.attach(TenancyDao.class);
        Scope scope = Scope.read(h, caller);
        R row = lockVisible(dao, scope, id);
        String name = validateUpdate(r, row);
        if (!manages(scope, row)) {
          throw ApiException.forbidden(forbidden("change", row));
        }
        if (name == null || name.equals(row.name())) {
          return view(row);
        }
        rename(dao, row, name);
        return view(find(dao, id).orElseThrow());
      });
    } catch (JdbiException e) {
      if (SqlErrors.duplicateKey(e)) {
        throw ApiException.conflict(duplicateName(nameOf(r)));
      }
      throw e;
    }
  }

  public void delete(Caller caller, String id) {
    try {
      jdbi.useTransaction(h -> {
        TenancyDao dao = h.attach(TenancyDao.class);
        Scope scope = Scope.read(h, caller);
        R row = lockVisible(dao, scope, id);
        if (!manages(scope, row)) {
          throw ApiException.forbidden(forbidden("delete", row));
        }
        refuseDelete(dao, caller, row);
        limits.deleteOverrides(h, type, id);
        remove(dao, id);
      });
    } catch (JdbiException e) {
      if (stillReferenced(id) != null && SqlErrors.referenced(e)) {
        throw ApiException.conflict(stillReferenced(id));
      }
      throw e;
    }
  }

  /** The object if the caller sees it; 404 when it does not exist or is out of sight. */
  public R visible(Handle h, Scope scope, String id) {
    return find(h.attach(TenancyDao.class), id).filter(r -> sees(scope, r)).orElseThrow(() -> notFound(id));
  }

  private R lockVisible(TenancyDao dao, Scope scope, String id) {
    return lock(dao, id).filter(r -> sees(scope, r)).orElseThrow(() -> notFound(id));
  }

  ApiException notFound(String id) {
    return ApiException.notFound(type.key() + " " + id + " not found");
  }
}
