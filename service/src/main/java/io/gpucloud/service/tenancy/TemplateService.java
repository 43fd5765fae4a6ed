package io.gpucloud.service.tenancy;

import io.gpucloud.service.ApiException;
import io.gpucloud.service.common.Checks;
import io.gpucloud.service.common.SqlErrors;
import java.util.List;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.JdbiException;

/** Templates: the images instances boot from. */
public class TemplateService {
  private final Jdbi jdbi;

  public TemplateService(Jdbi jdbi) {
    this.jdbi = jdbi;
  }

  public TemplateView create(TemplateRequest request) {
    TemplateRequest.Valid v = Checks.body(request).validateCreate();
    String id = UUID.randomUUID().toString();
    try {
      return jdbi.inTransaction(h -> {
        CatalogDao dao = h.attach(CatalogDao.class);
        dao.insertTemplate(id, v.name(), v.osType(), v.rootDiskGb(), v.imagePath());
        return TemplateView.of(dao.template(id).orElseThrow());
      });
    } catch (JdbiException e) {
      if (SqlErrors.duplicateKey(e)) {
        throw ApiException.conflict("a template named '" + v.name() + "' already exists");
      }
      throw e;
    }
  }

  public List<TemplateView> list(String name) {
    String n = Checks.optionalText("name", name, Checks.MAX_NAME);
    return jdbi.withHandle(h -> h.attach(CatalogDao.class).templates(n).stream().map(TemplateView::of).toList());
  }

  public TemplateView get(String id) {
    return jdbi.withHandle(h -> h.attach(CatalogDao.class).template(id).map(TemplateView::of)
        .orElseThrow(() -> notFound(id)));
  }

  public void delete(String id) {
    jdbi.useTransaction(h -> {
      CatalogDao dao = h.attach(CatalogDao.class);
      TemplateRow t = dao.template(id).orElseThrow(() -> notFound(id));
      long n = dao.countLiveTemplateInstances(id);
      if (n > 0) {
        throw ApiException.conflict("template " + t.name() + " is used by " + n + (n == 1 ? " instance" : " instances"));
      }
      dao.deleteTemplate(id);
    });
  }

  static ApiException notFound(String id) {
    return ApiException.notFound("template " + id + " not found");
  }
}
