package io.gpucloud.service.instances;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * An instance as its owner sees it (state, offering, "2 x Card (profile)"), plus, for Admin,
 * the host and the devices it holds.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record InstanceView(
    String id,
    String name,
    String vmName,
    String state,
    String errorReason,
    String accountId,
    String accountName,
    String projectId,
    String offeringId,
    String offeringName,
    String templateId,
    int cpuCores,
    int cpuSpeedMhz,
    long memoryMb,
    int gpuCount,
    String gpuCardName,
    String vgpuProfileName,
    String gpuCards,
    String workflowId,
    String createdAt,
    String hostId,
    String hostName,
    List<Device> devices) {

  /** A device of the instance; busAddress and numaNode only for Admin. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Device(String id, String type, String cardName, String profileName, String busAddress,
      Integer numaNode, String state) {}
}
