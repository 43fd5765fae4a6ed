package io.gpucloud.service.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import jakarta.validation.constraints.NotBlank;

/** First start: the admin API key is printed once and written (mode 600) to adminKeyFile. */
public class BootstrapConfig {
  @NotBlank private String adminKeyFile = ".local/admin-api-key";

  @JsonProperty public String getAdminKeyFile() { return adminKeyFile; }
  @JsonProperty public void setAdminKeyFile(String adminKeyFile) { this.adminKeyFile = adminKeyFile; }
}
