package io.gpucloud.service.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;

/** Where the Temporal frontend is; the UI url is only handed to the API (links for operators). */
public class TemporalConfig {
  @NotBlank private String target = "127.0.0.1:7233";
  @NotBlank private String namespace = "default";
  @NotBlank private String uiUrl = "http://127.0.0.1:8233";
  /** Run the control-plane worker (task queue control-plane) in this process. */
  private boolean workerEnabled = true;
  /**
   * Placements (ReserveOnBestHost) the control-plane worker runs at once; more deploys wait their
   * turn. 4 on the 2-core reference machine: more only piled deploys onto the same host locks.
   */
  @Min(1) private int concurrentPlacements = 4;
  /**
   * Workflow-task polls the control-plane worker keeps open (shared by its normal and sticky
   * queues). Each deploy's second workflow task goes to the sticky queue; with the SDK's default of 5
   * a burst of deploys finds no poll waiting for most of them, so the server writes those tasks to its
   * database and reads them back. At least 2: one for each queue.
   */
  @Min(2) private int workflowTaskPollers = 16;

  @JsonProperty public String getTarget() { return target; }
  @JsonProperty public void setTarget(String target) { this.target = target; }
  @JsonProperty public String getNamespace() { return namespace; }
  @JsonProperty public void setNamespace(String namespace) { this.namespace = namespace; }
  @JsonProperty public String getUiUrl() { return uiUrl; }
  @JsonProperty public void setUiUrl(String uiUrl) { this.uiUrl = uiUrl; }
  @JsonProperty public boolean isWorkerEnabled() { return workerEnabled; }
  @JsonProperty public void setWorkerEnabled(boolean workerEnabled) { this.workerEnabled = workerEnabled; }
  @JsonProperty public int getConcurrentPlacements() { return concurrentPlacements; }
  @JsonProperty public void setConcurrentPlacements(int n) { this.concurrentPlacements = n; }
  @JsonProperty public int getWorkflowTaskPollers() { return workflowTaskPollers; }
  @JsonProperty public void setWorkflowTaskPollers(int n) { this.workflowTaskPollers = n; }
}
