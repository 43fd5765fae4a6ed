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
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.JdbiException;

/** Domains: a tree under ROOT; path is the names from ROOT down, '/ROOT/child/'. */
public class DomainService {
  private final Jdbi jdbi;
  private final Limits limits;

  public DomainService(Jdbi jdbi, Limits limits) {
    this.jdbi = jdbi;
    this.limits = limits;
  }

  public DomainView create(Caller caller, DomainRequest request) {
    DomainRequest.Valid v = Checks.body(request).validateCreate();
    try {
      return jdbi.inTransaction(h -> {
        TenancyDao dao = h.attach(TenancyDao.class);
        Scope scope = Scope.read(h, caller);
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
        return DomainView.of(dao.domain(id).orElseThrow());
      });
    } catch (JdbiException e) {
      if (SqlErrors.duplicateKey(e)) {
        throw ApiException.conflict("a domain named '" + v.name() + "' already exists in that parent domain");
      }
      throw e;
    }
  }

  public List<DomainView> list(Caller caller, String parentId, String name) {
    String p = TenancyChecks.optionalId("parentId", parentId);
    String n = Checks.optionalText("name", name, Checks.MAX_NAME);
    return jdbi.withHandle(h -> {
      Scope scope = Scope.read(h, caller);
      return h.attach(TenancyDao.class).domains(scope.listPrefix(), scope.onlyDomainPath(), p, n).stream()
          .filter(d -> scope.seesDomain(d.path()))
          .map(DomainView::of)
          .toList();
    });
  }

  public DomainView get(Caller caller, String id) {
    return jdbi.withHandle(h -> DomainView.of(visible(h, Scope.read(h, caller), id)));
  }

  public DomainView update(Caller caller, String id, DomainRequest request) {
    DomainRequest r = Checks.body(request);
    try {
      return jdbi.inTransaction(h -> {
        TenancyDao dao = h.attach(TenancyDao.class);
        Scope scope = Scope.read(h, caller);
        DomainRow d = dao.lockDomain(id).filter(x -> scope.seesDomain(x.path())).orElseThrow(() -> notFound(id));
        String name = r.validateUpdate(d.parentId());
        if (!scope.managesDomain(d.path())) {
          throw ApiException.forbidden("forbidden: only an Admin or a DomainAdmin above it may change domain " + d.path());
        }
        if (name == null || name.equals(d.name())) {
          return DomainView.of(d);
        }
        if (d.isRoot()) {
          throw ApiException.badRequest("name: the root domain cannot be renamed");
        }
        String parentPath = d.path().substring(0, d.path().length() - d.name().length() - 1);
        String newPath = parentPath + name + "/";
        dao.renameDomain(id, name);
        dao.movePaths(d.path(), newPath);
        return DomainView.of(dao.domain(id).orElseThrow());
      });
    } catch (JdbiException e) {
      if (SqlErrors.duplicateKey(e)) {
        throw ApiException.conflict("a domain named '" + r.name() + "' already exists in that parent domain");
      }
      throw e;
    }
  }

  public void delete(Caller caller, String id) {
    try {
      jdbi.useTransaction(h -> {
        TenancyDao dao = h.attach(TenancyDao.class);
        Scope scope = Scope.read(h, caller);
        DomainRow d = dao.lockDomain(id).filter(x -> scope.seesDomain(x.path())).orElseThrow(() -> notFound(id));
        if (!scope.managesDomain(d.path())) {
          throw ApiException.forbidden("forbidden: only an Admin or a DomainAdmin above it may delete domain " + d.path());
        }
        if (d.isRoot()) {
          throw ApiException.conflict("the root domain " + d.path() + " cannot be deleted");
        }
        long subs = dao.countSubdomains(id);
        if (subs > 0) {
          throw ApiException.conflict("domain " + d.path() + " has " + subs + (subs == 1 ? " sub-domain" : " sub-domains"));
        }
        long accounts = dao.countAccountsIn(id);
        if (accounts > 0) {
          throw ApiException.conflict("domain " + d.path() + " has " + accounts + (accounts == 1 ? " account" : " accounts"));
        }
        limits.deleteOverrides(h, ScopeType.DOMAIN, id);
        dao.deleteDomain(id);
      });
    } catch (JdbiException e) {
      if (SqlErrors.referenced(e)) {
        throw ApiException.conflict("domain " + id + " still has sub-domains, accounts or projects");
      }
      throw e;
    }
  }

  static DomainRow visible(org.jdbi.v3.core.Handle h, Scope scope, String id) {
    return h.attach(TenancyDao.class).domain(id).filter(d -> scope.seesDomain(d.path())).orElseThrow(() -> notFound(id));
  }

  static ApiException notFound(String id) {
    return ApiException.notFound("domain " + id + " not found");
  }
}
