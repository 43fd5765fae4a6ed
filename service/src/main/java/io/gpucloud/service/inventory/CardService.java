package io.gpucloud.service.inventory;

import io.gpucloud.activities.model.GpuCard;
import io.gpucloud.activities.model.VgpuProfile;
import io.gpucloud.service.ApiException;
import io.gpucloud.service.common.Checks;
import io.gpucloud.service.common.SqlErrors;
import io.gpucloud.service.inventory.db.CardDao;
import io.gpucloud.service.inventory.db.ProfileDao;
import java.util.List;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.JdbiException;

/** GPU cards; a new card comes with its passthrough profile. */
public class CardService {
  private final Jdbi jdbi;

  public CardService(Jdbi jdbi) {
    this.jdbi = jdbi;
  }

  public GpuCard create(CardRequest request) {
    CardRequest.Valid v = Checks.body(request).validateCreate();
    String id = UUID.randomUUID().toString();
    try {
      return jdbi.inTransaction(
          h -> {
            h.attach(CardDao.class)
                .insert(new GpuCard(id, v.vendorId(), v.deviceId(), v.vendorName(), v.deviceName(), v.name(), null));
            h.attach(ProfileDao.class)
                .insert(
                    new VgpuProfile(
                        UUID.randomUUID().toString(), id, VgpuProfile.PASSTHROUGH,
                        "Whole device passthrough", 0, 1, 0, 0, 1, null));
            return h.attach(CardDao.class).findById(id).orElseThrow();
          });
    } catch (JdbiException e) {
      if (SqlErrors.duplicateKey(e)) {
        throw ApiException.conflict(
            "a GPU card with vendorId:deviceId " + v.vendorId() + ":" + v.deviceId() + " already exists");
      }
      throw e;
    }
  }

  public List<GpuCard> list(String vendorId, String deviceId, String keyword) {
    String v = Checks.optionalHex4("vendorId", vendorId);
    String d = Checks.optionalHex4("deviceId", deviceId);
    String k = Checks.optionalText("keyword", keyword, Checks.MAX_NAME);
    return jdbi.onDemand(CardDao.class).list(v, d, k == null ? null : Checks.likeEscape(k));
  }

  public GpuCard get(String id) {
    return jdbi.onDemand(CardDao.class).findById(id).orElseThrow(() -> notFound(id));
  }

  public GpuCard update(String id, CardRequest request) {
    CardRequest r = Checks.body(request);
    return jdbi.inTransaction(
        h -> {
          CardDao dao = h.attach(CardDao.class);
          GpuCard current = dao.findById(id).orElseThrow(() -> notFound(id));
          if (r.vendorId() != null && !r.vendorId().trim().equalsIgnoreCase(current.vendorId())) {
            throw ApiException.badRequest("vendorId is immutable (card " + id + " has " + current.vendorId() + ")");
          }
          if (r.deviceId() != null && !r.deviceId().trim().equalsIgnoreCase(current.deviceId())) {
            throw ApiException.badRequest("deviceId is immutable (card " + id + " has " + current.deviceId() + ")");
          }
          String vendorName =
              r.vendorName() == null ? current.vendorName() : Checks.name("vendorName", r.vendorName());
          String deviceName =
              r.deviceName() == null ? current.deviceName() : Checks.name("deviceName", r.deviceName());
          String name = r.name() == null ? current.name() : Checks.name("name", r.name());
          if (dao.update(id, vendorName, deviceName, name) == 0 && dao.findById(id).isEmpty()) {
            throw notFound(id);
          }
          return dao.findById(id).orElseThrow(() -> notFound(id));
        });
  }

  public void delete(String id) {
    CardDao dao = jdbi.onDemand(CardDao.class);
    int deleted;
    try {
      deleted = dao.deleteIfUnused(id);
    } catch (JdbiException e) {
      if (SqlErrors.referenced(e)) {
        long n = dao.countDevices(id);
        throw ApiException.conflict(
            n > 0 ? inUse(id, n) : "card " + id + " is still referenced (e.g. by an offering)");
      }
      throw e;
    }
    if (deleted == 0) {
      if (dao.findById(id).isEmpty()) {
        throw notFound(id);
      }
      throw ApiException.conflict(inUse(id, dao.countDevices(id)));
    }
  }

  private static String inUse(String id, long n) {
    return "card " + id + " is used by " + n + (n == 1 ? " device" : " devices");
  }

  static ApiException notFound(String id) {
    return ApiException.notFound("GPU card " + id + " not found");
  }
}
