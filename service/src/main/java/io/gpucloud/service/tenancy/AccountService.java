package io.gpucloud.service.tenancy;

import io.gpucloud.controlplane.limits.Limits;
import io.gpucloud.controlplane.limits.ScopeType;
import io.gpucloud.service.ApiException;
import io.gpucloud.service.auth.Caller;
import io.gpucloud.service.auth.Scope;
import io.gpucloud.service.common.Checks;
import io.gpucloud.service.common.SqlErrors;
import java.util.List;
import java.util.UUID;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.JdbiException;

/** Accounts: each in one domain; users, projects and instances belong to an account. */
public class AccountService {
  private final Jdbi jdbi;
  private final Limits limits;

  public AccountService(Jdbi jdbi, Limits limits) {
    this.jdbi = jdbi;
    this.limits = limits;
  }

  public AccountView create(Caller caller, AccountRequest request) {
    AccountRequest.Valid v = Checks.body(request).validateCreate();
    try {
      return jdbi.inTransaction(h -> {
        TenancyDao dao = h.attach(TenancyDao.class);
        Scope scope = Scope.read(h, caller);
        String domainId = v.domainId() == null ? caller.domainId() : v.domainId();
        DomainRow domain = dao.domain(domainId)
            .filter(d -> scope.seesDomain(d.path()))
            .orElseThrow(() -> ApiException.badRequest("domainId: no domain with id " + domainId));
        if (!scope.managesContentsOf(domain.path())) {
          throw ApiException.forbidden("forbidden: cannot create accounts in " + domain.path());
        }
        String id = UUID.randomUUID().toString();
        dao.insertAccount(id, v.name(), domain.id());
        return AccountView.of(dao.account(id).orElseThrow());
      });
    } catch (JdbiException e) {
      if (SqlErrors.duplicateKey(e)) {
        throw ApiException.conflict("an account named '" + v.name() + "' already exists in that domain");
      }
      if (SqlErrors.missingParent(e)) {
        throw ApiException.badRequest("domainId: no domain with id " + v.domainId());
      }
      throw e;
    }
  }

  public List<AccountView> list(Caller caller, String domainId, String name) {
    String d = TenancyChecks.optionalId("domainId", domainId);
    String n = Checks.optionalText("name", name, Checks.MAX_NAME);
    return jdbi.withHandle(h -> {
      Scope scope = Scope.read(h, caller);
      return h.attach(TenancyDao.class).accounts(scope.listPrefix(), scope.onlyAccount(), d, n).stream()
          .filter(a -> scope.seesAccount(a.id(), a.domainPath()))
          .map(AccountView::of)
          .toList();
    });
  }

  public AccountView get(Caller caller, String id) {
    return jdbi.withHandle(h -> AccountView.of(visible(h, Scope.read(h, caller), id)));
  }

  public AccountView update(Caller caller, String id, AccountRequest request) {
    AccountRequest r = Checks.body(request);
    try {
      return jdbi.inTransaction(h -> {
        TenancyDao dao = h.attach(TenancyDao.class);
        Scope scope = Scope.read(h, caller);
        dao.lockAccount(id);
        AccountRow a = visible(h, scope, id);
        String name = r.validateUpdate(a.domainId());
        if (!scope.managesAccount(a.domainPath())) {
          throw ApiException.forbidden("forbidden: cannot change account " + a.name());
        }
        if (name != null && !name.equals(a.name())) {
          dao.renameAccount(id, name);
        }
        return AccountView.of(dao.account(id).orElseThrow());
      });
    } catch (JdbiException e) {
      if (SqlErrors.duplicateKey(e)) {
        throw ApiException.conflict("an account named '" + r.name() + "' already exists in that domain");
      }
      throw e;
    }
  }

  public void delete(Caller caller, String id) {
    try {
      jdbi.useTransaction(h -> {
        TenancyDao dao = h.attach(TenancyDao.class);
        Scope scope = Scope.read(h, caller);
        dao.lockAccount(id);
        AccountRow a = visible(h, scope, id);
        if (!scope.managesAccount(a.domainPath())) {
          throw ApiException.forbidden("forbidden: cannot delete account " + a.name());
        }
        if (id.equals(caller.accountId())) {
          throw ApiException.conflict("account " + a.name() + " is the caller's own account");
        }
        refuseWhile(dao.countUsers(id), "user", a);
        refuseWhile(dao.countInstances(id), "instance", a);
        refuseWhile(dao.countProjects(id), "project", a);
        limits.deleteOverrides(h, ScopeType.ACCOUNT, id);
        dao.deleteAccount(id);
      });
    } catch (JdbiException e) {
      if (SqlErrors.referenced(e)) {
        throw ApiException.conflict("account " + id + " still has users, instances or projects");
      }
      throw e;
    }
  }

  private static void refuseWhile(long n, String what, AccountRow a) {
    if (n > 0) {
      throw ApiException.conflict("account " + a.name() + " has " + n + " " + what + (n == 1 ? "" : "s"));
    }
  }

  static AccountRow visible(Handle h, Scope scope, String id) {
    return h.attach(TenancyDao.class).account(id)
        .filter(a -> scope.seesAccount(a.id(), a.domainPath()))
        .orElseThrow(() -> notFound(id));
  }

  static ApiException notFound(String id) {
    return ApiException.notFound("account " + id + " not found");
  }
}
