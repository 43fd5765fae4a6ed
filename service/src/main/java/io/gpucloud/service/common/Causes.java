package io.gpucloud.service.common;

/** The deepest cause of an exception, for messages that name what really failed. */
public final class Causes {
  private Causes() {}

  /** The last cause in the chain (the exception itself when it has none). */
  public static Throwable deepest(Throwable t) {
    Throwable c = t;
    while (c.getCause() != null && c.getCause() != c) {
      c = c.getCause();
    }
    return c;
  }

  /** The deepest cause's message, or its class's simple name when it has none. */
  public static String rootMessage(Throwable t) {
    Throwable c = deepest(t);
    return c.getMessage() == null ? c.getClass().getSimpleName() : c.getMessage();
  }
}
