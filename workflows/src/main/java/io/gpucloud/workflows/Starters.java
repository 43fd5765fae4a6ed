package io.gpucloud.workflows;

import io.temporal.common.SearchAttributeKey;

/** Search attribute keys operators filter on in the Temporal UI (registered with the dev server). */
public final class Starters {
  public static final SearchAttributeKey<String> HOST_NAME = SearchAttributeKey.forKeyword("HostName");
  public static final SearchAttributeKey<String> INSTANCE_UUID = SearchAttributeKey.forKeyword("InstanceUuid");
  public static final SearchAttributeKey<String> ACCOUNT = SearchAttributeKey.forKeyword("Account");

  private Starters() {}
}
