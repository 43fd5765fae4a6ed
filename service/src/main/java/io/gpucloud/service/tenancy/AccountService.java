package io.gpucloud.service.tenancy;

import io.gpucloud.controlplane.limits.Limits;
import io.gpucloud.controlplane.limits.ScopeType;
import io.gpucloud.service.ApiException;
import io.gpucloud.service.auth.Caller;
import io.gpucloud.service.auth.Scope;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;

/** Accounts: each in one domain; users, projects and instances belong to an account. */
public class AccountService extends ScopedService<AccountRow, AccountRequest, AccountView> {
  public AccountService(Jdbi jdbi, Limits limits) {
    super(jdbi, limits, ScopeType.ACCOUNT, "domainId");
  }

  @Override
  Optional<AccountRow> find(TenancyDao dao, String id) {
    return dao.account(id);
  }

  @Override
  Optional<AccountRow> lock(TenancyDao dao, String id) {
    dao.lockAccount(id);
    return dao.account(id);
  }

  @Override
  boolean sees(Scope scope, AccountRow a) {
    return scope.seesAccount(a.id(), a.domainPath());
  }

  @Override
  boolean manages(Scope scope, AccountRow a) {
    return scope.managesAccount(a.domainPath());
  }

  @Override
  AccountView view(AccountRow a) {
    return AccountView.of(a);
  }

  @Override
  List<AccountRow> rows(TenancyDao dao, Scope scope, String domainId, String name) {
    return dao.accounts(scope.listPrefix(), scope.onlyAccount(), domainId, name);
  }

  @Override
  NewObject validateCreate(AccountRequest request) {
    AccountRequest.Valid v = request.validateCreate();
    return new NewObject(v.name(), v.domainId());
  }

  @Override
  String validateUpdate(AccountRequest request, AccountRow current) {
    return request.validateUpdate(current.domainId());
  }

  @Override
  String nameOf(AccountRequest request) {
    return request.name();
  }

  @Override
  String insert(TenancyDao dao, Scope scope, Caller caller, NewObject v) {
    String domainId = v.parentId() == null ? caller.domainId() : v.parentId();
    DomainRow domain = dao.domain(domainId)
        .filter(d -> scope.seesDomain(d.path()))
        .orElseThrow(() -> ApiException.badRequest("domainId: no domain with id " + domainId));
    if (!scope.managesContentsOf(domain.path())) {
      throw ApiException.forbidden("forbidden: cannot create accounts in " + domain.path());
    }
    String id = UUID.randomUUID().toString();
    dao.insertAccount(id, v.name(), domain.id());
    return id;
  }

  @Override
  void rename(TenancyDao dao, AccountRow a, String newName) {
    dao.renameAccount(a.id(), newName);
  }

  @Override
  void refuseDelete(TenancyDao dao, Caller caller, AccountRow a) {
    if (a.id().equals(caller.accountId())) {
      throw ApiException.conflict("account " + a.name() + " is the caller's own account");
    }
    refuseWhile(dao.countUsers(a.id()), "user", a);
    refuseWhile(dao.countInstances(a.id()), "instance", a);
    refuseWhile(dao.countProjects(a.id()), "project", a);
  }

  private static void refuseWhile(long n, String what, AccountRow a) {
    if (n > 0) {
      throw ApiException.conflict("account " + a.name() + " has " + n + " " + what + (n == 1 ? "" : "s"));
    }
  }

  @Override
  void remove(TenancyDao dao, String id) {
    dao.deleteAccount(id);
  }

  @Override
  String duplicateName(String name) {
    return "an account named '" + name + "' already exists in that domain";
  }

  @Override
  String missingParent(NewObject v) {
    return "domainId: no domain with id " + v.parentId();
  }

  @Override
  String stillReferenced(String id) {
    return "account " + id + " still has users, instances or projects";
  }
}
