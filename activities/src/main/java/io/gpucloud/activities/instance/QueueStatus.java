package io.gpucloud.activities.instance;

/**
 * Where a deploy that asked to queue stands. {@code state}: {@link #ADMITTED} (placed: Creating on a host,
 * its devices Reserved), {@link #WAITING} (Queued, holding nothing), {@link #GONE} (withdrawn: nothing more
 * to do), {@link #FAILED} (in Error: refused at admission for a limit, or expired) or {@link #NOT_QUEUED}
 * (the request did not ask to queue). {@code deadlineMillis}:
 * when a waiting request gives up (its request time + maxWait, epoch ms); {@code maxWait}: as asked (ISO-8601).
 */
public record QueueStatus(String state, long deadlineMillis, String maxWait) {
  public static final String ADMITTED = "ADMITTED";
  public static final String WAITING = "WAITING";
  public static final String GONE = "GONE";
  public static final String FAILED = "FAILED";
  public static final String NOT_QUEUED = "NOT_QUEUED";

  public static QueueStatus of(String state) {
    return new QueueStatus(state, 0, null);
  }

  public boolean is(String s) {
    return s.equals(state);
  }
}
