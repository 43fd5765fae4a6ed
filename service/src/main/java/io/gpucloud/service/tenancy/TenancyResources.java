package io.gpucloud.service.tenancy;

import io.gpucloud.controlplane.limits.Limits;
import java.util.List;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.sqlobject.SqlObjectPlugin;

/**
 * The tenancy resources under /api/v1: domains, accounts, projects (each with /{id}/limits),
 * settings, offerings, templates. The application registers each.
 */
public final class TenancyResources {
  private TenancyResources() {}

  public static List<Object> create(Jdbi jdbi) {
    jdbi.installPlugin(new SqlObjectPlugin()); // a no-op when already installed
    Limits limits = new Limits();
    LimitService limitService = new LimitService(jdbi, limits);
    return List.of(
        new DomainResource(new DomainService(jdbi, limits), limitService),
        new AccountResource(new AccountService(jdbi, limits), limitService),
        new ProjectResource(new ProjectService(jdbi, limits), limitService),
        new SettingsResource(limitService),
        new OfferingResource(new OfferingService(jdbi)),
        new TemplateResource(new TemplateService(jdbi)));
  }
}
