package io.gpucloud.activities.discovery;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Whether the whole GPU can be handed to one VM, where libvirt finds it, and which VM uses it now (null: none). */
public record FullPassthrough(
    boolean enabled,
    @JsonProperty("libvirt_address") LibvirtAddress libvirtAddress,
    @JsonProperty("used_by_vm") String usedByVm) {}
