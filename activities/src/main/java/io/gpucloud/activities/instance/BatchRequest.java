package io.gpucloud.activities.instance;

import java.util.List;

/**
 * What a Batch workflow ({@code batch-<batchId>}) is started with: the members the API recorded (Creating),
 * {@code mode} gang (all reserved at once or none) or each, and who asked (events, search attributes).
 */
public record BatchRequest(String batchId, String mode, List<String> instanceIds, String accountName, String userId) {
  public static final String GANG = "gang";
  public static final String EACH = "each";

  public boolean gang() {
    return GANG.equals(mode);
  }
}
