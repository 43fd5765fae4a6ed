package io.gpucloud.service;

import io.dropwizard.configuration.EnvironmentVariableSubstitutor;
import io.dropwizard.configuration.SubstitutingSourceProvider;
import io.dropwizard.core.Application;
import io.dropwizard.core.server.AbstractServerFactory;
import io.dropwizard.core.setup.Bootstrap;
import io.dropwizard.core.setup.Environment;
import io.dropwizard.db.ManagedDataSource;
import io.gpucloud.migrations.Migrations;
import io.gpucloud.service.auth.AdminBootstrap;
import io.gpucloud.service.auth.ApiKeyAuthenticator;
import io.gpucloud.service.auth.AuthSetup;
import io.gpucloud.service.auth.UserResource;
import io.gpucloud.service.common.BodyLimitFilter;
import io.gpucloud.service.db.DatabaseHealthCheck;
import io.gpucloud.service.db.EmbeddedDbCommand;
import io.gpucloud.service.db.MigrateCommand;
import io.gpucloud.service.errors.ErrorMappers;
import io.gpucloud.service.errors.JsonErrorHandlers;
import io.gpucloud.service.errors.StrictJson;
import io.gpucloud.service.events.EventResource;
import io.gpucloud.service.events.EventService;
import io.gpucloud.service.instances.InstanceOperations;
import io.gpucloud.service.instances.InstanceResource;
import io.gpucloud.service.instances.InstanceService;
import io.gpucloud.service.inventory.InventoryResources;
import io.gpucloud.service.jobs.JobDependencies;
import io.gpucloud.service.jobs.QuartzManaged;
import io.gpucloud.service.jobs.ScheduleCursors;
import io.gpucloud.service.openapi.OpenApiResource;
import io.gpucloud.service.batches.BatchResource;
import io.gpucloud.service.batches.BatchService;
import io.gpucloud.service.queue.AdmissionKickFilter;
import io.gpucloud.service.queue.QueueResource;
import io.gpucloud.service.queue.QueueService;
import io.gpucloud.service.schedules.ScheduleResource;
import io.gpucloud.service.schedules.ScheduleService;
import io.gpucloud.service.temporal.TemporalHealthCheck;
import io.gpucloud.service.temporal.TemporalManaged;
import io.gpucloud.service.tenancy.TenancyResources;
import io.gpucloud.service.usage.UsageResource;
import io.gpucloud.service.workflows.WorkflowInspector;
import io.gpucloud.service.workflows.TemporalWorkflowStarts;
import io.gpucloud.service.workflows.WorkflowResource;
import java.nio.file.Path;
import org.flywaydb.core.api.output.MigrateResult;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.sqlobject.SqlObjectPlugin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The control-plane service: {@code server config.yml}, {@code migrate config.yml}, {@code embedded-db config.yml}. */
public class GpuCloudApplication extends Application<GpuCloudConfiguration> {
  private static final Logger LOG = LoggerFactory.getLogger(GpuCloudApplication.class);

  public static void main(String[] args) throws Exception {
    new GpuCloudApplication().run(args);
  }

  @Override
  public String getName() {
    return "gpucloud";
  }

  @Override
  public void initialize(Bootstrap<GpuCloudConfiguration> bootstrap) {
    bootstrap.setConfigurationSourceProvider(new SubstitutingSourceProvider(
        bootstrap.getConfigurationSourceProvider(), new EnvironmentVariableSubstitutor(false)));
    bootstrap.addCommand(new MigrateCommand());
    bootstrap.addCommand(new EmbeddedDbCommand());
    bootstrap.addCommand(new io.gpucloud.service.temporal.TemporalSetupCommand());
  }

  @Override
  public void run(GpuCloudConfiguration config, Environment env) throws Exception {
    // 1. schema first: nothing else touches the database before it is current
    ManagedDataSource ds = config.getDatabase().build(env.metrics(), "mariadb");
    env.lifecycle().manage(ds);
    MigrateResult migrated = Migrations.migrate(ds);
    LOG.info("database migrations: {} applied, schema version {}", migrated.migrationsExecuted,
        migrated.targetSchemaVersion == null ? migrated.initialSchemaVersion : migrated.targetSchemaVersion);

    Jdbi jdbi = Jdbi.create(ds).installPlugin(new SqlObjectPlugin());
    io.gpucloud.service.metrics.ServiceMetrics.install(env, jdbi); // GET /metrics (Prometheus) on the admin port

    // 2. first admin (exactly once across replicas and restarts)
    // its key goes to the key file only (mode 600), never to stdout or the log
    AdminBootstrap.ensureAdmin(jdbi, Path.of(config.getBootstrap().getAdminKeyFile()));

    // 3. Temporal client + control-plane worker
    TemporalManaged temporal = new TemporalManaged(config.getTemporal(), jdbi, config.getUsage());
    env.lifecycle().manage(temporal);

    // 4. Quartz (clustered, same database)
    JobDependencies deps = new JobDependencies(jdbi, temporal.stubs(), temporal.client(),
        config.getTemporal().getNamespace(), config.getQuartz(), config.getUsage(), config.getDiscovery());
    QuartzManaged quartz = config.getQuartz().isEnabled() ? new QuartzManaged(config.getQuartz(), ds, deps) : null;
    if (quartz != null) {
      env.lifecycle().manage(quartz);
    }

    // 5. health
    env.healthChecks().register("database", new DatabaseHealthCheck(jdbi));
    env.healthChecks().register("temporal", new TemporalHealthCheck(temporal, config.getTemporal().getTarget()));

    // 6. Jersey: our error mappers only (every error is {code, message}), auth, resources
    if (config.getServerFactory() instanceof AbstractServerFactory sf) {
      sf.setRegisterDefaultExceptionMappers(false);
    }
    StrictJson.configure(env.getObjectMapper());
    ErrorMappers.all().forEach(env.jersey()::register);
    JsonErrorHandlers.install(env); // and what Jetty refuses before Jersey
    BodyLimitFilter.components().forEach(env.jersey()::register); // bodies over 1 MiB: 413
    AuthSetup.components(new ApiKeyAuthenticator(jdbi)).forEach(env.jersey()::register);
    env.jersey().register(new UserResource(jdbi));
    InstanceService instances = new InstanceService(jdbi, temporal.client());
    InventoryResources.create(jdbi, temporal.client(), instances).forEach(env.jersey()::register);
    env.jersey().register(new WorkflowResource(new WorkflowInspector(
        temporal.client(), config.getTemporal().getNamespace(), config.getTemporal().getUiUrl())));
    env.jersey().register(new ScheduleResource(new ScheduleService(
        quartz == null ? () -> null : quartz::scheduler, new ScheduleCursors(jdbi), temporal.client())));
    TenancyResources.create(jdbi).forEach(env.jersey()::register);
    InstanceOperations operations = new InstanceOperations(jdbi, new TemporalWorkflowStarts(temporal.client()));
    env.jersey().register(new InstanceResource(instances, operations));
    // queued and batch deploys; every API write tells the admission that capacity may have freed
    env.jersey().register(new QueueResource(new QueueService(jdbi)));
    env.jersey().register(new BatchResource(new BatchService(jdbi, temporal.client(), instances, operations)));
    env.jersey().register(new AdmissionKickFilter(temporal::kickAdmission));
    env.jersey().register(new EventResource(new EventService(jdbi)));
    env.jersey().register(UsageResource.create(jdbi, temporal.client(), Path.of(config.getUsage().getExportDir())));
    // the web console at /console/ (same services and scoping as the API; @Hidden from the OpenAPI description)
    // (a Queue page will join it later)
    io.gpucloud.service.console.ConsoleModule.register(env, config, jdbi, temporal.client(),
        quartz == null ? () -> null : quartz::scheduler);
    // GET /api/v1/openapi.json, generated from the resources registered above (no key needed)
    env.jersey().register(new OpenApiResource(() -> OpenApiResource.resourceClasses(env.jersey().getResourceConfig())));
  }
}
