package io.gpucloud.service.batches;

import io.gpucloud.service.instances.InstanceView;
import java.util.List;

/** A batch and its members as the caller sees them. {@code state}: Active or Cancelled. */
public record BatchView(String id, String namePrefix, String mode, int count, String state, String accountId,
    String offeringId, String templateId, String workflowId, String createdAt, List<InstanceView> members) {}
