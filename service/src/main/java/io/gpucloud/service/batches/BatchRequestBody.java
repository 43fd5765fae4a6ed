package io.gpucloud.service.batches;

import io.gpucloud.activities.instance.BatchRequest;
import io.gpucloud.service.ApiException;
import io.gpucloud.service.common.Checks;
import io.gpucloud.service.instances.QueueOptions;

/**
 * POST /instance-batches body: {@code count} instances named {@code <namePrefix>-1..N} from one offering
 * and template; {@code mode} gang (all reserved at once, or none) or each (each on its own); {@code queue}
 * as for one deploy. A gang without {@code queue} is admitted now or fails at once.
 */
public record BatchRequestBody(String namePrefix, String offeringId, String templateId, Integer count, String mode,
    String projectId, QueueOptions queue) {
  /** The most members one batch may have. */
  public static final int MAX_COUNT = 64;

  public BatchRequestBody validated() {
    String prefix = Checks.name("namePrefix", namePrefix, 56);
    if (!prefix.matches("[A-Za-z0-9][A-Za-z0-9._-]*")) {
      throw ApiException.badRequest(
          "namePrefix must start with a letter or digit and hold only letters, digits, '.', '_' and '-'");
    }
    if (count == null || count < 1 || count > MAX_COUNT) {
      throw ApiException.badRequest("count must be between 1 and " + MAX_COUNT);
    }
    if (!BatchRequest.GANG.equals(mode) && !BatchRequest.EACH.equals(mode)) {
      throw ApiException.badRequest("mode must be gang or each");
    }
    if (queue != null) {
      queue.validated();
    }
    return new BatchRequestBody(prefix, Checks.requiredId("offeringId", offeringId),
        Checks.requiredId("templateId", templateId), count, mode, Checks.optionalId("projectId", projectId), queue);
  }
}
