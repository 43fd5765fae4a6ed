package io.gpucloud.service.instances;

import io.gpucloud.service.common.Checks;

/** POST /instances body. The offering decides CPU, RAM and GPUs; deploy takes no GPU parameter. */
public record InstanceRequest(String name, String offeringId, String templateId, String projectId,
    QueueOptions queue) {

  /** Validated copy; 400 naming the field otherwise. */
  public InstanceRequest validated() {
    String n = Checks.name("name", name, 63);
    if (!n.matches("[A-Za-z0-9][A-Za-z0-9._-]*")) {
      throw io.gpucloud.service.ApiException.badRequest(
          "name must start with a letter or digit and hold only letters, digits, '.', '_' and '-'");
    }
    if (queue != null) {
      queue.validated();
    }
    return new InstanceRequest(n, Checks.requiredId("offeringId", offeringId),
        Checks.requiredId("templateId", templateId), Checks.optionalId("projectId", projectId), queue);
  }
}
