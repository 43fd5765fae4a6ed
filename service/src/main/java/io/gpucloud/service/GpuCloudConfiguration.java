package io.gpucloud.service;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.dropwizard.core.Configuration;
import io.dropwizard.db.DataSourceFactory;
import io.gpucloud.service.config.BootstrapConfig;
import io.gpucloud.service.config.DiscoveryScheduleConfig;
import io.gpucloud.service.config.EmbeddedDbConfig;
import io.gpucloud.service.config.QuartzConfig;
import io.gpucloud.service.config.TemporalConfig;
import io.gpucloud.service.config.UsageConfig;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;

/** config.yml of the service. Values may use ${ENV_VAR:-default} substitution. */
public class GpuCloudConfiguration extends Configuration {
  @Valid @NotNull private DataSourceFactory database = new DataSourceFactory();
  @Valid @NotNull private EmbeddedDbConfig embeddedDb = new EmbeddedDbConfig();
  @Valid @NotNull private TemporalConfig temporal = new TemporalConfig();
  @Valid @NotNull private BootstrapConfig bootstrap = new BootstrapConfig();
  @Valid @NotNull private QuartzConfig quartz = new QuartzConfig();
  @Valid @NotNull private UsageConfig usage = new UsageConfig();
  @Valid @NotNull private DiscoveryScheduleConfig discovery = new DiscoveryScheduleConfig();
  @Valid @NotNull private io.gpucloud.service.console.ConsoleConfig console = new io.gpucloud.service.console.ConsoleConfig();

  @JsonProperty public DataSourceFactory getDatabase() { return database; }
  @JsonProperty public void setDatabase(DataSourceFactory database) { this.database = database; }

  @JsonProperty public EmbeddedDbConfig getEmbeddedDb() { return embeddedDb; }
  @JsonProperty public void setEmbeddedDb(EmbeddedDbConfig embeddedDb) { this.embeddedDb = embeddedDb; }

  @JsonProperty public TemporalConfig getTemporal() { return temporal; }
  @JsonProperty public void setTemporal(TemporalConfig temporal) { this.temporal = temporal; }

  @JsonProperty public BootstrapConfig getBootstrap() { return bootstrap; }
  @JsonProperty public void setBootstrap(BootstrapConfig bootstrap) { this.bootstrap = bootstrap; }

  @JsonProperty public QuartzConfig getQuartz() { return quartz; }
  @JsonProperty public void setQuartz(QuartzConfig quartz) { this.quartz = quartz; }

  @JsonProperty public UsageConfig getUsage() { return usage; }
  @JsonProperty public void setUsage(UsageConfig usage) { this.usage = usage; }

  @JsonProperty public DiscoveryScheduleConfig getDiscovery() { return discovery; }
  @JsonProperty public void setDiscovery(DiscoveryScheduleConfig discovery) { this.discovery = discovery; }

  @JsonProperty public io.gpucloud.service.console.ConsoleConfig getConsole() { return console; }
  @JsonProperty public void setConsole(io.gpucloud.service.console.ConsoleConfig console) { this.console = console; }
}
