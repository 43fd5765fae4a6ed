package io.gpucloud.service.common;

import java.time.Instant;

/** Timestamps in responses are ISO-8601 UTC strings (e.g. 2025-01-31T12:00:00.123Z) or null. */
public final class Iso {
  private Iso() {}

  public static String of(Instant t) {
    return t == null ? null : t.toString();
  }
}
