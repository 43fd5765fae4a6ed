package io.gpucloud.service.inventory;

import io.gpucloud.activities.model.DeviceState;
import io.gpucloud.activities.model.DeviceType;
import io.gpucloud.activities.model.ManagedState;
import io.gpucloud.activities.model.VgpuProfile;
import io.gpucloud.service.ApiException;
import io.gpucloud.service.common.Checks;
import io.gpucloud.service.common.SqlErrors;
import io.gpucloud.service.inventory.db.CardDao;
import io.gpucloud.service.inventory.db.DeviceDao;
import io.gpucloud.service.inventory.db.DeviceRow;
import io.gpucloud.service.inventory.db.HostDao;
import io.gpucloud.service.inventory.db.NewDevice;
import io.gpucloud.service.inventory.db.ProfileDao;
import java.util.List;
import java.util.UUID;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.JdbiException;

/**
 * GPU devices. Changes that depend on the device's state are conditional statements (see
 * {@link DeviceDao#NOT_BUSY}); 0 rows becomes 404 when the device is gone and 409 otherwise.
 */
public class DeviceService {
  private final Jdbi jdbi;

  public DeviceService(Jdbi jdbi) {
    this.jdbi = jdbi;
  }

  public List<DeviceView> list(
      String hostId, String cardId, String profileId, String instanceId, String state, String type, String managedState) {
    DeviceState s = Checks.optionalEnum("state", state, DeviceState.class);
    DeviceType t = Checks.optionalEnum("type", type, DeviceType.class);
    ManagedState m = Checks.optionalEnum("managedState", managedState, ManagedState.class);
    return jdbi.onDemand(DeviceDao.class)
        .list(
            Checks.optionalText("hostId", hostId, 64),
            Checks.optionalText("cardId", cardId, 64),
            Checks.optionalText("profileId", profileId, 64),
            Checks.optionalText("instanceId", instanceId, 64),
            s == null ? null : s.name(),
            t == null ? null : t.name(),
            m == null ? null : m.name())
        .stream()
        .map(DeviceView::of)
        .toList();
  }

  public DeviceView get(String id) {
    return DeviceView.of(jdbi.onDemand(DeviceDao.class).findById(id).orElseThrow(() -> notFound(id)));
  }

  public DeviceView create(DeviceRequest request) {
    DeviceRequest.Valid v = Checks.body(request).validate();
    String id = UUID.randomUUID().toString();
    try {
      return jdbi.inTransaction(
          h -> {
            if (h.attach(HostDao.class).findById(v.hostId()).isEmpty()) {
              throw ApiException.badRequest("hostId " + v.hostId() + " is not a host");
            }
            if (h.attach(CardDao.class).findById(v.cardId()).isEmpty()) {
              throw ApiException.badRequest("cardId " + v.cardId() + " is not a GPU card");
            }
            if (v.profileId() != null) {
              checkProfile(h, v.profileId(), v.cardId());
            }
            if (v.parentDeviceId() != null) {
              checkParent(h, v.parentDeviceId(), v.hostId(), null);
            }
            DeviceDao dao = h.attach(DeviceDao.class);
            dao.insert(
                new NewDevice(
                    id, v.hostId(), v.busAddress(), v.type(), v.cardId(), v.profileId(), v.parentDeviceId(),
                    v.numaNode(), v.pciRoot(), v.iommuGroup(), v.driver()));
            return DeviceView.of(dao.findById(id).orElseThrow());
          });
    } catch (JdbiException e) {
      if (SqlErrors.duplicateKey(e)) {
        throw ApiException.conflict(
            "a device with busAddress " + v.busAddress() + " already exists on host " + v.hostId());
      }
      if (SqlErrors.missingParent(e)) {
        throw ApiException.badRequest(
            "hostId, cardId, profileId or parentDeviceId no longer exists (removed concurrently)");
      }
      throw e;
    }
  }

  public DeviceView update(String id, DeviceUpdate u) {
    try {
      return jdbi.inTransaction(
          h -> {
            DeviceDao dao = h.attach(DeviceDao.class);
            DeviceRow current = dao.findById(id).orElseThrow(() -> notFound(id));
            if (u.setProfile()) {
              if (u.profileId() == null) {
                if (current.type() != DeviceType.VGPU_ONLY) {
                  throw ApiException.badRequest("profileId is required for a device of type " + current.type());
                }
              } else {
                checkProfile(h, u.profileId(), current.cardId());
              }
            }
            if (u.setParent() && u.parentDeviceId() != null) {
              if (current.type() == DeviceType.VGPU_ONLY) {
                throw ApiException.badRequest("parentDeviceId must be empty for a VGPU_ONLY device");
              }
              checkParent(h, u.parentDeviceId(), current.hostId(), id);
            }
            int n =
                dao.updateIfIdle(
                    id, u.setProfile(), u.profileId(), u.setNuma(), u.numaNode(), u.setParent(), u.parentDeviceId());
            DeviceRow now = dao.findById(id).orElseThrow(() -> notFound(id));
            if (n == 0 && now.busy()) {
              throw busy(now, "updated");
            }
            return DeviceView.of(now);
          });
    } catch (JdbiException e) {
      if (SqlErrors.missingParent(e)) {
        throw ApiException.badRequest("profileId or parentDeviceId no longer exists (removed concurrently)");
      }
      throw e;
    }
  }

  public DeviceView setManaged(String id, boolean managed) {
    ManagedState target = managed ? ManagedState.Managed : ManagedState.Unmanaged;
    DeviceDao dao = jdbi.onDemand(DeviceDao.class);
    int n = dao.setManagedStateIfIdle(id, target.name());
    DeviceRow now = dao.findById(id).orElseThrow(() -> notFound(id));
    // Refused while allocated even when it is already in the target state: an operator acting on a
    // device an instance holds should hear that it is held, not get a silent no-op.
    if (n == 0) {
      throw busy(now, managed ? "managed" : "unmanaged");
    }
    return DeviceView.of(now);
  }

  public void delete(String id) {
    DeviceDao dao = jdbi.onDemand(DeviceDao.class);
    int n;
    try {
      n = dao.deleteIfIdle(id);
    } catch (JdbiException e) {
      if (SqlErrors.referenced(e)) {
        long children = dao.countChildren(id);
        throw ApiException.conflict(
            children > 0
                ? "device " + id + " has " + children + (children == 1 ? " child device" : " child devices")
                    + ": delete them first"
                : "device " + id + " is still referenced");
      }
      throw e;
    }
    if (n == 0) {
      DeviceRow now = dao.findById(id).orElseThrow(() -> notFound(id));
      throw busy(now, "deleted");
    }
  }

  private static void checkProfile(Handle h, String profileId, String cardId) {
    VgpuProfile p =
        h.attach(ProfileDao.class)
            .findById(profileId)
            .orElseThrow(() -> ApiException.badRequest("profileId " + profileId + " is not a vGPU profile"));
    if (!p.cardId().equals(cardId)) {
      throw ApiException.badRequest("profileId " + profileId + " does not belong to card " + cardId);
    }
  }

  private static void checkParent(Handle h, String parentId, String hostId, String selfId) {
    if (parentId.equals(selfId)) {
      throw ApiException.badRequest("parentDeviceId must not be the device itself");
    }
    DeviceRow parent =
        h.attach(DeviceDao.class)
            .findById(parentId)
            .orElseThrow(() -> ApiException.badRequest("parentDeviceId " + parentId + " is not a GPU device"));
    if (!parent.hostId().equals(hostId)) {
      throw ApiException.badRequest("parentDeviceId " + parentId + " is on another host");
    }
    if (parent.type() != DeviceType.VGPU_ONLY) {
      throw ApiException.badRequest("parentDeviceId " + parentId + " must be a VGPU_ONLY device, is " + parent.type());
    }
  }

  private static ApiException busy(DeviceRow d, String verb) {
    String holder = d.instanceId() == null ? "" : " and held by instance " + d.instanceId();
    return ApiException.conflict(
        "device " + d.id() + " (" + d.busAddress() + ") is " + d.state() + holder + ": it cannot be " + verb);
  }

  static ApiException notFound(String id) {
    return ApiException.notFound("GPU device " + id + " not found");
  }
}
