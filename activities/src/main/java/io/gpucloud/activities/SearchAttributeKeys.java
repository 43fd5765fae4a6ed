package io.gpucloud.activities;

import io.temporal.common.SearchAttributeKey;

/**
 * Search attributes operators filter on in the Temporal UI. Every process that starts or upserts
 * them uses these keys; the stack scripts register the same names with the server.
 */
public final class SearchAttributeKeys {
  public static final SearchAttributeKey<String> HOST_NAME = SearchAttributeKey.forKeyword("HostName");
  public static final SearchAttributeKey<String> INSTANCE_UUID = SearchAttributeKey.forKeyword("InstanceUuid");
  public static final SearchAttributeKey<String> ACCOUNT = SearchAttributeKey.forKeyword("Account");
  /** A deploy that asked to queue: Waiting while it waits for capacity, Admitted once placed. */
  public static final SearchAttributeKey<String> QUEUE_STATE = SearchAttributeKey.forKeyword("QueueState");

  private SearchAttributeKeys() {}
}
