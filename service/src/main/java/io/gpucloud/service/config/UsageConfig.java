package io.gpucloud.service.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.gpucloud.activities.usage.UsagePeriods;
import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;

/** Usage records and their nightly export (config.yml {@code usage:}). */
public class UsageConfig {
  /** Length of a usage period; it must divide a day (PT1M lets tests see periods close). */
  @NotNull private Duration period = Duration.ofHours(1);
  /** Quartz cron (seconds first), in UTC, of the nightly export of the previous UTC day. */
  @NotBlank private String exportCron = "0 30 0 * * ?";
  /** Where the export files are written; created when missing. */
  @NotBlank private String exportDir = ".local/usage-exports";

  @AssertTrue(message = "usage.period must divide a day into whole seconds (e.g. PT1M, PT15M, PT1H)")
  public boolean isPeriodValid() {
    try {
      UsagePeriods.validate(period);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  public UsagePeriods periods() {
    return new UsagePeriods(period);
  }

  @JsonProperty public Duration getPeriod() { return period; }
  @JsonProperty public void setPeriod(Duration period) { this.period = period; }
  @JsonProperty public String getExportCron() { return exportCron; }
  @JsonProperty public void setExportCron(String exportCron) { this.exportCron = exportCron; }
  @JsonProperty public String getExportDir() { return exportDir; }
  @JsonProperty public void setExportDir(String exportDir) { this.exportDir = exportDir; }
}
