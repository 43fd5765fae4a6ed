package io.gpucloud.service.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;

/** Scheduled rediscovery (config.yml {@code discovery:}): one Discovery per Up host per interval. */
public class DiscoveryScheduleConfig {
  @NotNull private Duration interval = Duration.ofHours(1);

  @AssertTrue(message = "discovery.interval must be at least PT1M in whole seconds")
  public boolean isIntervalValid() {
    return interval != null && interval.getNano() == 0 && interval.toSeconds() >= 60;
  }

  @JsonProperty public Duration getInterval() { return interval; }
  @JsonProperty public void setInterval(Duration interval) { this.interval = interval; }
}
