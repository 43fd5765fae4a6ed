package io.gpucloud.service.tenancy;

import io.gpucloud.controlplane.limits.Limits;
import java.util.List;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.sqlobject.SqlObjectPlugin;

/**
 * The tenancy resources under /api/v1: domains (with /{id}/settings), accounts, projects (each with
 * /{id}/limits), settings, offerings, templates. The application registers each.
 */
public final class TenancyResources {
  private TenancyResources() {}

  public static List<Object> create(Jdbi jdbi) {
    jdbi.installPlugin(new SqlObjectPlugin()); // a no-op when already installed
    Limits limits = new Limits();
    DomainService domains = new DomainService(jdbi, limits);
    AccountService accounts = new AccountService(jdbi, limits);
    ProjectService projects = new ProjectService(jdbi, limits);
    LimitService limitService = new LimitService(jdbi, limits, domains, accounts, projects);
    return List.of(
        new DomainResource(domains, limitService, new DomainSettingsService(jdbi, domains)),
        new AccountResource(accounts, limitService),
        new ProjectResource(projects, limitService),
        new SettingsResource(new SettingsService(jdbi, limits)),
        new OfferingResource(new OfferingService(jdbi)),
        new TemplateResource(new TemplateService(jdbi)));
  }
}
