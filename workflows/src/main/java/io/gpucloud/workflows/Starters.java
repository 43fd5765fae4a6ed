package io.gpucloud.workflows;

import io.gpucloud.activities.SearchAttributeKeys;
import io.temporal.common.SearchAttributeKey;

/** Search attribute keys operators filter on in the Temporal UI (the contract's, under short names). */
public final class Starters {
  public static final SearchAttributeKey<String> HOST_NAME = SearchAttributeKeys.HOST_NAME;
  public static final SearchAttributeKey<String> INSTANCE_UUID = SearchAttributeKeys.INSTANCE_UUID;
  public static final SearchAttributeKey<String> ACCOUNT = SearchAttributeKeys.ACCOUNT;
  public static final SearchAttributeKey<String> QUEUE_STATE = SearchAttributeKeys.QUEUE_STATE;

  private Starters() {}
}
