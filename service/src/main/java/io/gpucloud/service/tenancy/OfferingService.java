package io.gpucloud.service.tenancy;

import io.gpucloud.service.ApiException;
import io.gpucloud.service.common.Checks;
import io.gpucloud.service.common.SqlErrors;
import java.util.List;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.JdbiException;

/** Compute offerings; one with a vGPU profile is a GPU offering. */
public class OfferingService {
  private final Jdbi jdbi;

  public OfferingService(Jdbi jdbi) {
    this.jdbi = jdbi;
  }

  public OfferingView create(OfferingRequest request) {
    OfferingRequest.Valid v = Checks.body(request).validateCreate();
    String id = UUID.randomUUID().toString();
    try {
      return jdbi.inTransaction(h -> {
        CatalogDao dao = h.attach(CatalogDao.class);
        if (v.vgpuProfileId() != null) {
          String profile = dao.profileName(v.vgpuProfileId())
              .orElseThrow(() -> ApiException.badRequest("vgpuProfileId " + v.vgpuProfileId() + " does not exist"));
          int most = dao.mostDevicesOnAHost(v.vgpuProfileId());
          if (v.gpuCount() > most) {
            throw ApiException.badRequest("gpuCount " + v.gpuCount() + " exceeds the most devices of profile "
                + profile + " any host has (" + most + ")"
                + (most == 0 ? ": no host has a device of this profile yet" : ""));
          }
        }
        dao.insertOffering(id, v.name(), v.description(), v.cpuCores(), v.cpuMhz(), v.memoryMb(), v.vgpuProfileId(),
            v.gpuCount(), v.gpuDisplay(), v.numaPolicy());
        return OfferingView.of(dao.offering(id).orElseThrow());
      });
    } catch (JdbiException e) {
      if (SqlErrors.duplicateKey(e)) {
        throw ApiException.conflict("an offering named '" + v.name() + "' already exists");
      }
      if (SqlErrors.missingParent(e)) {
        throw ApiException.badRequest("vgpuProfileId " + v.vgpuProfileId() + " does not exist");
      }
      throw e;
    }
  }

  public List<OfferingView> list(Boolean gpuEnabled, String name) {
    String n = Checks.optionalText("name", name, Checks.MAX_NAME);
    return jdbi.withHandle(h -> h.attach(CatalogDao.class).offerings(gpuEnabled, n).stream()
        .map(OfferingView::of).toList());
  }

  public OfferingView get(String id) {
    return jdbi.withHandle(h -> h.attach(CatalogDao.class).offering(id).map(OfferingView::of)
        .orElseThrow(() -> notFound(id)));
  }

  public void delete(String id) {
    jdbi.useTransaction(h -> {
      CatalogDao dao = h.attach(CatalogDao.class);
      OfferingRow o = dao.offering(id).orElseThrow(() -> notFound(id));
      long n = dao.countLiveOfferingInstances(id);
      if (n > 0) {
        throw ApiException.conflict("offering " + o.name() + " is used by " + n + (n == 1 ? " instance" : " instances"));
      }
      dao.deleteOffering(id);
    });
  }

  static ApiException notFound(String id) {
    return ApiException.notFound("offering " + id + " not found");
  }
}
