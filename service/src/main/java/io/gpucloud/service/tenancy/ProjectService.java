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

/** Projects: owned by an account, in the account's domain; instances may count against a project. */
public class ProjectService extends ScopedService<ProjectRow, ProjectRequest, ProjectView> {
  public ProjectService(Jdbi jdbi, Limits limits) {
    super(jdbi, limits, ScopeType.PROJECT, "accountId");
  }

  @Override
  Optional<ProjectRow> find(TenancyDao dao, String id) {
    return dao.project(id);
  }

  @Override
  Optional<ProjectRow> lock(TenancyDao dao, String id) {
    dao.lockProject(id);
    return dao.project(id);
  }

  @Override
  boolean sees(Scope scope, ProjectRow p) {
    return scope.seesProject(p.accountId(), p.domainPath());
  }

  @Override
  boolean manages(Scope scope, ProjectRow p) {
    return scope.managesProject(p.domainPath());
  }

  @Override
  ProjectView view(ProjectRow p) {
    return ProjectView.of(p);
  }

  @Override
  List<ProjectRow> rows(TenancyDao dao, Scope scope, String accountId, String name) {
    return dao.projects(scope.listPrefix(), scope.onlyAccount(), accountId, name);
  }

  @Override
  NewObject validateCreate(ProjectRequest request) {
    ProjectRequest.Valid v = request.validateCreate();
    return new NewObject(v.name(), v.accountId());
  }

  @Override
  String validateUpdate(ProjectRequest request, ProjectRow current) {
    return request.validateUpdate(current.accountId());
  }

  @Override
  String nameOf(ProjectRequest request) {
    return request.name();
  }

  @Override
  String insert(TenancyDao dao, Scope scope, Caller caller, NewObject v) {
    String accountId = v.parentId() == null ? caller.accountId() : v.parentId();
    AccountRow owner = dao.account(accountId)
        .filter(a -> scope.seesAccount(a.id(), a.domainPath()))
        .orElseThrow(() -> ApiException.badRequest("accountId: no account with id " + accountId));
    if (!scope.managesProject(owner.domainPath())) {
      throw ApiException.forbidden("forbidden: cannot create projects for account " + owner.name());
    }
    String id = UUID.randomUUID().toString();
    dao.insertProject(id, v.name(), owner.id(), owner.domainId());
    return id;
  }

  @Override
  void rename(TenancyDao dao, ProjectRow p, String newName) {
    dao.renameProject(p.id(), newName);
  }

  @Override
  void refuseDelete(TenancyDao dao, Caller caller, ProjectRow p) {
    long n = dao.countLiveProjectInstances(p.id());
    if (n > 0) {
      throw ApiException.conflict("project " + p.name() + " has " + n + (n == 1 ? " instance" : " instances"));
    }
  }

  @Override
  void remove(TenancyDao dao, String id) {
    dao.deleteProject(id);
  }

  @Override
  String duplicateName(String name) {
    return "a project named '" + name + "' already exists in that domain";
  }

  @Override
  String missingParent(NewObject v) {
    return "accountId: no account with id " + v.parentId();
  }
}
