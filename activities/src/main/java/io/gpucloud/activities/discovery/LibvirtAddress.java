package io.gpucloud.activities.discovery;

import com.fasterxml.jackson.annotation.JsonInclude;

/** PCI address as libvirt writes it in a hostdev source: hex strings such as "0x0000", "0x01", "0x00", "0x0". */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record LibvirtAddress(String domain, String bus, String slot, String function) {}
