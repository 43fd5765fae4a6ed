package io.gpucloud.service.tenancy;

import io.gpucloud.service.ApiException;
import io.gpucloud.service.auth.Caller;
import io.gpucloud.service.auth.Scope;
import org.jdbi.v3.core.Handle;

/** The caller's {@link Scope}, with its domain path read from the database. */
public final class Scopes {
  private Scopes() {}

  public static Scope of(Handle h, Caller caller) {
    String path = h.attach(TenancyDao.class).domainPath(caller.domainId()).orElse(null);
    if (path == null && !caller.isAdmin()) {
      throw ApiException.forbidden("forbidden: the caller's domain no longer exists");
    }
    return Scope.of(caller, path);
  }
}
