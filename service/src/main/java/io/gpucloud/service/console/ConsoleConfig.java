package io.gpucloud.service.console;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.dropwizard.util.Duration;
import jakarta.validation.constraints.NotNull;

/** config.yml {@code console:} the web console's sessions. */
public class ConsoleConfig {
  /** A session unused this long is over (the user signs in again with a key). */
  @NotNull private Duration sessionIdleTimeout = Duration.hours(8);
  /** Mark the cookie Secure (behind TLS); plain http on localhost needs false. */
  private boolean secureCookie = false;

  @JsonProperty public Duration getSessionIdleTimeout() { return sessionIdleTimeout; }
  @JsonProperty public void setSessionIdleTimeout(Duration d) { this.sessionIdleTimeout = d; }
  @JsonProperty public boolean isSecureCookie() { return secureCookie; }
  @JsonProperty public void setSecureCookie(boolean secure) { this.secureCookie = secure; }
}
