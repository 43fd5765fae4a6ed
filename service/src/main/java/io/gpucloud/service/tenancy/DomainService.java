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

/** Domains: a tree under ROOT; path is the names from ROOT down, '/ROOT/child/'. */
public class DomainService extends ScopedService<DomainRow, DomainRequest, DomainView> {
  public DomainService(Jdbi jdbi, Limits limits) {
    super(jdbi, limits, ScopeType.DOMAIN, "parentId");
  }

  @Override
  Optional<DomainRow> find(TenancyDao dao, String id) {
    return dao.domain(id);
  }

  @Override
  Optional<DomainRow> lock(TenancyDao dao, String id) {
    return dao.lockDomain(id);
  }

  @Override
  boolean sees(Scope scope, DomainRow d) {
    return scope.seesDomain(d.path());
  }

  /** Rename, delete, limits of the domain itself: an Admin, or a DomainAdmin above it (not of its own domain). */
  @Override
  boolean manages(Scope scope, DomainRow d) {
    return scope.managesDomain(d.path());
  }

  @Override
  DomainView view(DomainRow d) {
    return DomainView.of(d);
  }

  @Override
  List<DomainRow> rows(TenancyDao dao, Scope scope, String parentId, String name) {
    return dao.domains(scope.listPrefix(), scope.onlyDomainPath(), parentId, name);
  }

  @Override
  NewObject validateCreate(DomainRequest request) {
    DomainRequest.Valid v = request.validateCreate();
    return new NewObject(v.name(), v.parentId());
  }

  @Override
  String validateUpdate(DomainRequest request, DomainRow current) {
    return request.validateUpdate(current.parentId());
  }

  @Override
  String nameOf(DomainRequest request) {
    return request.name();
  }

  @Override
  String insert(TenancyDao dao, Scope scope, Caller caller, NewObject v) {
    String parentId = v.parentId() == null ? caller.domainId() : v.parentId();
    // the parent row is locked: a rename of it waits, and our path is built from its current one
    DomainRow parent = dao.lockDomain(parentId)
        .filter(p -> scope.seesDomain(p.path()))
        .orElseThrow(() -> ApiException.badRequest("parentId: no domain with id " + parentId));
    if (!scope.managesContentsOf(parent.path())) {
      throw ApiException.forbidden("forbidden: cannot create domains in " + parent.path());
    }
    String path = parent.path() + v.name() + "/";
    if (path.length() > TenancyChecks.MAX_PATH) {
      throw ApiException.badRequest("name: the domain path would exceed " + TenancyChecks.MAX_PATH + " characters");
    }
    String id = UUID.randomUUID().toString();
    dao.insertDomain(id, v.name(), parent.id(), path);
    return id;
  }

  /** Renames the domain and rewrites the paths of its subtree (the row is locked). */
  @Override
  void rename(TenancyDao dao, DomainRow d, String newName) {
    if (d.isRoot()) {
      throw ApiException.badRequest("name: the root domain cannot be renamed");
    }
    String parentPath = d.path().substring(0, d.path().length() - d.name().length() - 1);
    String newPath = parentPath + newName + "/";
    dao.renameDomain(d.id(), newName);
    dao.movePaths(d.path(), newPath);
  }

  @Override
  void refuseDelete(TenancyDao dao, Caller caller, DomainRow d) {
    if (d.isRoot()) {
      throw ApiException.conflict("the root domain " + d.path() + " cannot be deleted");
    }
    long subs = dao.countSubdomains(d.id());
    if (subs > 0) {
      throw ApiException.conflict("domain " + d.path() + " has " + subs + (subs == 1 ? " sub-domain" : " sub-domains"));
    }
    long accounts = dao.countAccountsIn(d.id());
    if (accounts > 0) {
      throw ApiException.conflict("domain " + d.path() + " has " + accounts + (accounts == 1 ? " account" : " accounts"));
    }
  }

  @Override
  void remove(TenancyDao dao, String id) {
    dao.deleteDomain(id);
  }

  @Override
  String duplicateName(String name) {
    return "a domain named '" + name + "' already exists in that parent domain";
  }

  @Override
  String stillReferenced(String id) {
    return "domain " + id + " still has sub-domains, accounts or projects";
  }

  @Override
  String forbidden(String action, DomainRow d) {
    return "forbidden: only an Admin or a DomainAdmin above it may " + action + " domain " + d.path();
  }
}
