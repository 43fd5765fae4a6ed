package io.gpucloud.service.console;

import io.dropwizard.core.setup.Environment;
import io.dropwizard.views.common.ViewMessageBodyWriter;
import io.dropwizard.views.common.ViewRenderer;
import io.dropwizard.views.freemarker.FreemarkerViewRenderer;
import io.gpucloud.controlplane.limits.Limits;
import io.gpucloud.service.GpuCloudConfiguration;
import io.gpucloud.service.auth.ApiKeyAuthenticator;
import io.gpucloud.service.auth.UserResource;
import io.gpucloud.service.events.EventService;
import io.gpucloud.service.instances.InstanceOperations;
import io.gpucloud.service.instances.InstanceService;
import io.gpucloud.service.inventory.CardService;
import io.gpucloud.service.inventory.DeviceService;
import io.gpucloud.service.inventory.HostService;
import io.gpucloud.service.inventory.ProfileService;
import io.gpucloud.service.jobs.ScheduleCursors;
import io.gpucloud.service.schedules.ScheduleService;
import io.gpucloud.service.tenancy.AccountService;
import io.gpucloud.service.tenancy.DomainService;
import io.gpucloud.service.tenancy.DomainSettingsService;
import io.gpucloud.service.tenancy.LimitService;
import io.gpucloud.service.tenancy.OfferingService;
import io.gpucloud.service.tenancy.ProjectService;
import io.gpucloud.service.tenancy.TemplateService;
import io.gpucloud.service.usage.ExportFiles;
import io.gpucloud.service.usage.ExportStarter;
import io.gpucloud.service.usage.UsageService;
import io.gpucloud.service.workflows.TemporalWorkflowStarts;
import io.gpucloud.service.workflows.WorkflowInspector;
import io.temporal.client.WorkflowClient;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.jdbi.v3.core.Jdbi;
import org.quartz.Scheduler;

/**
 * The web console at /console/: server-rendered FreeMarker pages (Dropwizard Views) and htmx, served
 * by the service on the API port. Every page goes through the same services, and so the same scoping,
 * as /api/v1; the console only adds sessions (an API key exchanged for an HttpOnly cookie), CSRF
 * tokens and HTML. The resources are @Hidden: the OpenAPI description stays the API's.
 */
public final class ConsoleModule {
  /** The htmx WebJar's version (pom.xml htmx.version): the path of htmx.min.js inside it. */
  static final String HTMX_VERSION = "2.0.4";

  private ConsoleModule() {}

  public static void register(Environment env, GpuCloudConfiguration config, Jdbi jdbi, WorkflowClient temporal,
      Supplier<Scheduler> scheduler) {
    ConsoleConfig cc = config.getConsole();
    FreemarkerViewRenderer renderer = new FreemarkerViewRenderer(freemarker.template.Configuration.VERSION_2_3_32);
    // .ftlh: HTML auto-escaping; a missing value prints as nothing instead of failing the page
    // numbers as they are (no grouping), ?url in UTF-8, and a template error is a 500, never a partial page
    renderer.configure(Map.of("classic_compatible", "true", "output_format", "HTMLOutputFormat",
        "number_format", "computer", "url_escaping_charset", "UTF-8", "template_exception_handler", "rethrow"));
    env.jersey().register(new ViewMessageBodyWriter(env.metrics(), List.<ViewRenderer>of(renderer)));

    SessionStore sessions = new SessionStore(jdbi, new ApiKeyAuthenticator(jdbi),
        cc.getSessionIdleTimeout().toJavaDuration(), Clock.systemUTC());
    env.jersey().register(new ConsoleAuthFilter(sessions));
    env.jersey().register(new SignInPages(sessions, cc.isSecureCookie()));

    Limits limits = new Limits();
    DomainService domains = new DomainService(jdbi, limits);
    AccountService accounts = new AccountService(jdbi, limits);
    ProjectService projects = new ProjectService(jdbi, limits);
    HostService hosts = new HostService(jdbi, temporal);
    CardService cards = new CardService(jdbi);
    ProfileService profiles = new ProfileService(jdbi);
    OfferingService offerings = new OfferingService(jdbi);
    TemplateService templates = new TemplateService(jdbi);
    WorkflowInspector workflows = new WorkflowInspector(temporal, config.getTemporal().getNamespace(),
        config.getTemporal().getUiUrl());
    env.jersey().register(new InstancePages(new InstanceService(jdbi, temporal),
        new InstanceOperations(jdbi, new TemporalWorkflowStarts(temporal)), offerings, templates, projects, hosts,
        new EventService(jdbi), workflows));
    env.jersey().register(new HostPages(hosts));
    env.jersey().register(new InventoryPages(cards, profiles, new DeviceService(jdbi), hosts));
    env.jersey().register(new CatalogPages(offerings, templates, cards));
    env.jersey().register(new TenancyPages(domains, accounts, projects,
        new LimitService(jdbi, limits, domains, accounts, projects), new DomainSettingsService(jdbi, domains),
        new UserResource(jdbi), env.getValidator()));
    ExportFiles files = new ExportFiles(Path.of(config.getUsage().getExportDir()));
    env.jersey().register(new QueuePages(new io.gpucloud.service.queue.QueueService(jdbi)));
    env.jersey().register(new UsagePages(
        new UsageService(jdbi, files, ExportStarter.temporal(temporal), Clock.systemUTC()),
        new ScheduleService(scheduler, new ScheduleCursors(jdbi), temporal), Clock.systemUTC()));
  }
}
