package io.gpucloud.service.db;

import com.codahale.metrics.MetricRegistry;
import io.dropwizard.core.cli.ConfiguredCommand;
import io.dropwizard.core.setup.Bootstrap;
import io.dropwizard.db.ManagedDataSource;
import io.gpucloud.migrations.Migrations;
import io.gpucloud.service.GpuCloudConfiguration;
import net.sourceforge.argparse4j.inf.Namespace;
import org.flywaydb.core.api.output.MigrateResult;

/** {@code migrate config.yml}: apply the Flyway migrations to database.url and exit. */
public class MigrateCommand extends ConfiguredCommand<GpuCloudConfiguration> {
  public MigrateCommand() {
    super("migrate", "Apply the database migrations (Flyway) and exit");
  }

  @Override
  protected void run(Bootstrap<GpuCloudConfiguration> bootstrap, Namespace namespace, GpuCloudConfiguration config)
      throws Exception {
    ManagedDataSource ds = config.getDatabase().build(new MetricRegistry(), "migrate");
    try {
      MigrateResult r = Migrations.migrate(ds);
      System.out.println("migrations applied: " + r.migrationsExecuted
          + ", schema version now " + (r.targetSchemaVersion == null ? r.initialSchemaVersion : r.targetSchemaVersion));
    } finally {
      ds.stop();
    }
  }
}
