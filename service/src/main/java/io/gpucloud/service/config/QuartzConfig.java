package io.gpucloud.service.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;

/** Clustered Quartz scheduler (JDBC job store, tables QRTZ_* in the service's database). */
public class QuartzConfig {
  private boolean enabled = true;
  /** Same for every replica of one deployment: replicas with the same name form a cluster. */
  @NotBlank private String schedulerName = "gpucloud";
  /** AUTO = host name + timestamp, unique per replica. */
  @NotBlank private String instanceId = "AUTO";
  @Min(1) @Max(100) private int threadCount = 4;
  @Min(1000) private long clusterCheckinIntervalMs = 7500;
  @Min(1) private int hostLivenessSeconds = 15;
  /** A host is Up while a poller of its activity task queue was seen within this many seconds. */
  @Min(1) private int hostPollerMaxAgeSeconds = 60;

  @JsonProperty public boolean isEnabled() { return enabled; }
  @JsonProperty public void setEnabled(boolean enabled) { this.enabled = enabled; }
  @JsonProperty public String getSchedulerName() { return schedulerName; }
  @JsonProperty public void setSchedulerName(String schedulerName) { this.schedulerName = schedulerName; }
  @JsonProperty public String getInstanceId() { return instanceId; }
  @JsonProperty public void setInstanceId(String instanceId) { this.instanceId = instanceId; }
  @JsonProperty public int getThreadCount() { return threadCount; }
  @JsonProperty public void setThreadCount(int threadCount) { this.threadCount = threadCount; }
  @JsonProperty public long getClusterCheckinIntervalMs() { return clusterCheckinIntervalMs; }
  @JsonProperty public void setClusterCheckinIntervalMs(long ms) { this.clusterCheckinIntervalMs = ms; }
  @JsonProperty public int getHostLivenessSeconds() { return hostLivenessSeconds; }
  @JsonProperty public void setHostLivenessSeconds(int s) { this.hostLivenessSeconds = s; }
  @JsonProperty public int getHostPollerMaxAgeSeconds() { return hostPollerMaxAgeSeconds; }
  @JsonProperty public void setHostPollerMaxAgeSeconds(int s) { this.hostPollerMaxAgeSeconds = s; }
}
