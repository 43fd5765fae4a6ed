package io.gpucloud.service.instances;

import io.gpucloud.service.ApiException;
import java.time.Duration;
import java.time.format.DateTimeParseException;

/**
 * The optional {@code "queue"} of a deploy: wait up to {@code maxWait} (ISO-8601, e.g. PT2H; at most P7D)
 * for capacity instead of failing at once, admitted by {@code priority} (0..9, higher first, default 0);
 * {@code waitForQuota}: also wait while the account's limits leave no room (otherwise refused at once).
 */
public record QueueOptions(String maxWait, Integer priority, Boolean waitForQuota) {
  /** The longest a request may wait. */
  public static final Duration MAX_WAIT = Duration.ofDays(7);
  /** The wait when {@code maxWait} is left out. */
  public static final Duration DEFAULT_WAIT = Duration.ofHours(1);

  /** Validated: 400 naming the field. */
  public Valid validated() {
    Duration wait = DEFAULT_WAIT;
    if (maxWait != null) {
      try {
        wait = Duration.parse(maxWait);
      } catch (DateTimeParseException e) {
        throw ApiException.badRequest("queue.maxWait must be an ISO-8601 duration such as PT2H, not '"
            + (maxWait.length() > 40 ? maxWait.substring(0, 40) + "..." : maxWait) + "'");
      }
      if (wait.isNegative() || wait.compareTo(MAX_WAIT) > 0) {
        throw ApiException.badRequest("queue.maxWait must be between PT0S and P7D");
      }
    }
    int p = priority == null ? 0 : priority;
    if (p < 0 || p > 9) {
      throw ApiException.badRequest("queue.priority must be between 0 and 9");
    }
    return new Valid(wait, p, Boolean.TRUE.equals(waitForQuota));
  }

  /** Checked options. */
  public record Valid(Duration maxWait, int priority, boolean waitForQuota) {}
}
