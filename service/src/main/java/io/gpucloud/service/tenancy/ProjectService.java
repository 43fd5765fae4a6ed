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

/** Projects: owned by an account, in the account's domain; instances may count against a project. */
public class ProjectService {
  private final Jdbi jdbi;
  private final Limits limits;

  public ProjectService(Jdbi jdbi, Limits limits) {
    this.jdbi = jdbi;
    this.limits = limits;
  }

  public ProjectView create(Caller caller, ProjectRequest request) {
    ProjectRequest.Valid v = Checks.body(request).validateCreate();
    try {
      return jdbi.inTransaction(h -> {
        TenancyDao dao = h.attach(TenancyDao.class);
        Scope scope = Scope.read(h, caller);
        String accountId = v.accountId() == null ? caller.accountId() : v.accountId();
        AccountRow owner = dao.account(accountId)
            .filter(a -> scope.seesAccount(a.id(), a.domainPath()))
            .orElseThrow(() -> ApiException.badRequest("accountId: no account with id " + accountId));
        if (!scope.managesProject(owner.domainPath())) {
          throw ApiException.forbidden("forbidden: cannot create projects for account " + owner.name());
        }
        String id = UUID.randomUUID().toString();
        dao.insertProject(id, v.name(), owner.id(), owner.domainId());
        return ProjectView.of(dao.project(id).orElseThrow());
      });
    } catch (JdbiException e) {
      if (SqlErrors.duplicateKey(e)) {
        throw ApiException.conflict("a project named '" + v.name() + "' already exists in that domain");
      }
      if (SqlErrors.missingParent(e)) {
        throw ApiException.badRequest("accountId: no account with id " + v.accountId());
      }
      throw e;
    }
  }

  public List<ProjectView> list(Caller caller, String accountId, String name) {
    String a = TenancyChecks.optionalId("accountId", accountId);
    String n = Checks.optionalText("name", name, Checks.MAX_NAME);
    return jdbi.withHandle(h -> {
      Scope scope = Scope.read(h, caller);
      return h.attach(TenancyDao.class).projects(scope.listPrefix(), scope.onlyAccount(), a, n).stream()
          .filter(p -> scope.seesProject(p.accountId(), p.domainPath()))
          .map(ProjectView::of)
          .toList();
    });
  }

  public ProjectView get(Caller caller, String id) {
    return jdbi.withHandle(h -> ProjectView.of(visible(h, Scope.read(h, caller), id)));
  }

  public ProjectView update(Caller caller, String id, ProjectRequest request) {
    ProjectRequest r = Checks.body(request);
    try {
      return jdbi.inTransaction(h -> {
        TenancyDao dao = h.attach(TenancyDao.class);
        Scope scope = Scope.read(h, caller);
        dao.lockProject(id);
        ProjectRow p = visible(h, scope, id);
        String name = r.validateUpdate(p.accountId());
        if (!scope.managesProject(p.domainPath())) {
          throw ApiException.forbidden("forbidden: cannot change project " + p.name());
        }
        if (name != null && !name.equals(p.name())) {
          dao.renameProject(id, name);
        }
        return ProjectView.of(dao.project(id).orElseThrow());
      });
    } catch (JdbiException e) {
      if (SqlErrors.duplicateKey(e)) {
        throw ApiException.conflict("a project named '" + r.name() + "' already exists in that domain");
      }
      throw e;
    }
  }

  public void delete(Caller caller, String id) {
    jdbi.useTransaction(h -> {
      TenancyDao dao = h.attach(TenancyDao.class);
      Scope scope = Scope.read(h, caller);
      dao.lockProject(id);
      ProjectRow p = visible(h, scope, id);
      if (!scope.managesProject(p.domainPath())) {
        throw ApiException.forbidden("forbidden: cannot delete project " + p.name());
      }
      long n = dao.countLiveProjectInstances(id);
      if (n > 0) {
        throw ApiException.conflict("project " + p.name() + " has " + n + (n == 1 ? " instance" : " instances"));
      }
      limits.deleteOverrides(h, ScopeType.PROJECT, id);
      dao.deleteProject(id);
    });
  }

  static ProjectRow visible(Handle h, Scope scope, String id) {
    return h.attach(TenancyDao.class).project(id)
        .filter(p -> scope.seesProject(p.accountId(), p.domainPath()))
        .orElseThrow(() -> notFound(id));
  }

  static ApiException notFound(String id) {
    return ApiException.notFound("project " + id + " not found");
  }
}
