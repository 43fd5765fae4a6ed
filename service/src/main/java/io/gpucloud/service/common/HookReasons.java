package io.gpucloud.service.common;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A host hook's failure, as the agent words it ("transformer hook failed: hook /etc/gpu-agent/hooks/...
 * failed with exit code 2; stderr: ..."), carries the hook's path and up to 4 KB of its stderr: the
 * host's business, not the tenant's. An instance's errorReason and an event's description show it to
 * Admins only; anyone else reads what came before it and a generic reason.
 */
public final class HookReasons {
  public static final String GENERIC = "a host hook failed; an administrator can see the details in the events";

  /** The agent's wording (InstanceHooks): "transformer hook failed: ..." or "state hook failed: ...". */
  private static final Pattern HOOK_FAILURE = Pattern.compile("\\b(transformer|state) hook failed\\b");

  private HookReasons() {}

  /** {@code text} as the caller may read it: unchanged for an Admin or when no hook failure is in it. */
  public static String forCaller(String text, boolean admin) {
    if (admin || text == null) {
      return text;
    }
    Matcher m = HOOK_FAILURE.matcher(text);
    return m.find() ? text.substring(0, m.start()) + GENERIC : text;
  }
}
