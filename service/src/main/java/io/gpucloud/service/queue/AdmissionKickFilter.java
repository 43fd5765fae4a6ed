package io.gpucloud.service.queue;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.container.ContainerResponseFilter;

/**
 * After every API write that succeeded (a host enabled, a limit raised, a device managed, an instance
 * withdrawn), tells the admission that capacity may have freed. It only looks for the wake-up rows the
 * write's transaction left (V13 triggers), so a write that freed nothing costs one small query.
 */
public class AdmissionKickFilter implements ContainerResponseFilter {
  private final Runnable kick;

  public AdmissionKickFilter(Runnable kick) {
    this.kick = kick;
  }

  @Override
  public void filter(ContainerRequestContext request, ContainerResponseContext response) {
    if (!"GET".equals(request.getMethod()) && !"HEAD".equals(request.getMethod()) && response.getStatus() < 400) {
      kick.run();
    }
  }
}
