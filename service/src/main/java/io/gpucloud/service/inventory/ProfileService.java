package io.gpucloud.service.inventory;

import io.gpucloud.activities.model.GpuCard;
import io.gpucloud.activities.model.VgpuProfile;
import io.gpucloud.service.ApiException;
import io.gpucloud.service.common.Checks;
import io.gpucloud.service.common.SqlErrors;
import io.gpucloud.service.inventory.db.CardDao;
import io.gpucloud.service.inventory.db.ProfileDao;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.JdbiException;

/** vGPU profiles; the passthrough profile of each card cannot be renamed or deleted. */
public class ProfileService {
  private final Jdbi jdbi;

  public ProfileService(Jdbi jdbi) {
    this.jdbi = jdbi;
  }

  public ProfileView create(ProfileRequest request) {
    ProfileRequest.Valid v = Checks.body(request).validateCreate();
    String id = UUID.randomUUID().toString();
    try {
      return jdbi.inTransaction(
          h -> {
            GpuCard card =
                h.attach(CardDao.class)
                    .findById(v.cardId())
                    .orElseThrow(() -> ApiException.badRequest("cardId " + v.cardId() + " is not a GPU card"));
            ProfileDao dao = h.attach(ProfileDao.class);
            dao.insert(toProfile(id, card.id(), v));
            return ProfileView.of(dao.findById(id).orElseThrow(), card.name());
          });
    } catch (JdbiException e) {
      if (SqlErrors.duplicateKey(e)) {
        throw duplicate(v.name(), v.cardId());
      }
      if (SqlErrors.missingParent(e)) {
        throw ApiException.badRequest("cardId " + v.cardId() + " is not a GPU card");
      }
      throw e;
    }
  }

  public List<ProfileView> list(String cardId, String name) {
    String c = Checks.optionalText("cardId", cardId, 64);
    String n = Checks.optionalText("name", name, Checks.MAX_NAME);
    return jdbi.withHandle(
        h -> {
          Map<String, String> cardNames = cardNames(h);
          return h.attach(ProfileDao.class).list(c, n).stream()
              .map(p -> ProfileView.of(p, cardNames.get(p.cardId())))
              .toList();
        });
  }

  public ProfileView get(String id) {
    return jdbi.withHandle(h -> view(h, find(h, id)));
  }

  public ProfileView update(String id, ProfileRequest request) {
    ProfileRequest r = Checks.body(request);
    try {
      return jdbi.inTransaction(
          h -> {
            ProfileDao dao = h.attach(ProfileDao.class);
            VgpuProfile current = find(h, id);
            ProfileRequest.Valid v = r.validateUpdate(valid(current));
            if (isPassthrough(current) && !VgpuProfile.PASSTHROUGH.equals(v.name())) {
              throw ApiException.badRequest("name: the passthrough profile cannot be renamed");
            }
            if (dao.update(toProfile(id, current.cardId(), v)) == 0) {
              VgpuProfile now = find(h, id); // 404 when it is gone
              if (isPassthrough(now) && !VgpuProfile.PASSTHROUGH.equals(v.name())) {
                throw ApiException.badRequest("name: the passthrough profile cannot be renamed");
              }
            }
            return view(h, find(h, id));
          });
    } catch (JdbiException e) {
      if (SqlErrors.duplicateKey(e)) {
        String name = r.name() == null ? "" : r.name().trim();
        throw ApiException.conflict("a vGPU profile named " + name + " already exists for this card");
      }
      throw e;
    }
  }

  public void delete(String id) {
    ProfileDao dao = jdbi.onDemand(ProfileDao.class);
    int deleted;
    try {
      deleted = dao.deleteIfUnused(id);
    } catch (JdbiException e) {
      if (SqlErrors.referenced(e)) {
        long n = dao.countDevices(id);
        throw ApiException.conflict(
            n > 0 ? inUse(id, n) : "vGPU profile " + id + " is still referenced (e.g. by an offering)");
      }
      throw e;
    }
    if (deleted == 0) {
      VgpuProfile p = dao.findById(id).orElseThrow(() -> notFound(id));
      if (isPassthrough(p)) {
        throw ApiException.conflict("the passthrough profile " + id + " cannot be deleted");
      }
      throw ApiException.conflict(inUse(id, dao.countDevices(id)));
    }
  }

  private static String inUse(String id, long n) {
    return "vGPU profile " + id + " is used by " + n + (n == 1 ? " device" : " devices");
  }

  private static VgpuProfile find(Handle h, String id) {
    return h.attach(ProfileDao.class).findById(id).orElseThrow(() -> notFound(id));
  }

  private static ProfileView view(Handle h, VgpuProfile p) {
    String cardName = h.attach(CardDao.class).findById(p.cardId()).map(GpuCard::name).orElse(null);
    return ProfileView.of(p, cardName);
  }

  private static Map<String, String> cardNames(Handle h) {
    return h.attach(CardDao.class).list(null, null, null).stream()
        .collect(Collectors.toMap(GpuCard::id, GpuCard::name));
  }

  static boolean isPassthrough(VgpuProfile p) {
    return VgpuProfile.PASSTHROUGH.equals(p.name());
  }

  private static ProfileRequest.Valid valid(VgpuProfile p) {
    return new ProfileRequest.Valid(
        p.cardId(), p.name(), p.description(), p.videoRamMb(), p.maxHeads(), p.maxResolutionX(),
        p.maxResolutionY(), p.maxVgpusPerGpu());
  }

  private static VgpuProfile toProfile(String id, String cardId, ProfileRequest.Valid v) {
    return new VgpuProfile(
        id, cardId, v.name(), v.description(), v.videoRamMb(), v.maxHeads(), v.maxResolutionX(),
        v.maxResolutionY(), v.maxVgpusPerGpu(), null);
  }

  private static ApiException duplicate(String name, String cardId) {
    return ApiException.conflict("a vGPU profile named " + name + " already exists for card " + cardId);
  }

  static ApiException notFound(String id) {
    return ApiException.notFound("vGPU profile " + id + " not found");
  }
}
