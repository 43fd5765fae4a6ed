package io.gpucloud.controlplane.limits;

import java.util.Locale;

/** What a limit applies to; the setting keys use the lower-case name (max.account.gpus). */
public enum ScopeType {
  ACCOUNT,
  DOMAIN,
  PROJECT;

  /** "account", "domain" or "project": the word used in setting keys and messages. */
  public String key() {
    return name().toLowerCase(Locale.ROOT);
  }
}
