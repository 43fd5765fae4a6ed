package io.gpucloud.service.errors;

import static org.assertj.core.api.Assertions.assertThat;

import io.dropwizard.configuration.EnvironmentVariableSubstitutor;
import io.dropwizard.configuration.FileConfigurationSourceProvider;
import io.dropwizard.configuration.SubstitutingSourceProvider;
import io.dropwizard.configuration.YamlConfigurationFactory;
import io.dropwizard.db.DataSourceFactory;
import io.dropwizard.jackson.Jackson;
import io.dropwizard.util.Duration;
import io.gpucloud.service.GpuCloudConfiguration;
import jakarta.validation.Validation;
import java.io.File;
import org.junit.jupiter.api.Test;

/**
 * The shipped config.yml's pool validates its connections, so that the service resumes within about
 * 2 s of the database returning, and a request waits for a connection at most 2 s while it is down.
 */
class PoolConfigTest {
  @Test
  void theShippedPoolValidatesConnectionsAndWaitsBriefly() throws Exception {
    File config = new File("../config.yml");
    assertThat(config).exists();
    GpuCloudConfiguration c = new YamlConfigurationFactory<>(GpuCloudConfiguration.class,
        Validation.buildDefaultValidatorFactory().getValidator(), Jackson.newObjectMapper(), "dw")
        .build(new SubstitutingSourceProvider(new FileConfigurationSourceProvider(),
            new EnvironmentVariableSubstitutor(false)), config.getPath());
    DataSourceFactory db = c.getDatabase();
    assertThat(db.getCheckConnectionOnBorrow()).isTrue();
    assertThat(db.getCheckConnectionWhileIdle()).isTrue();
    assertThat(db.getValidationQuery()).isPresent();
    assertThat(db.getValidationInterval()).isLessThanOrEqualTo(Duration.seconds(1));
    assertThat(db.getValidationQueryTimeout()).isPresent().get().isEqualTo(Duration.seconds(2));
    assertThat(db.getEvictionInterval()).isLessThanOrEqualTo(Duration.seconds(2));
    assertThat(db.getMaxWaitForConnection()).isLessThanOrEqualTo(Duration.seconds(2));
  }
}
