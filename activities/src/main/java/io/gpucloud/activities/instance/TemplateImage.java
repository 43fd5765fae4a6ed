package io.gpucloud.activities.instance;

/** The template an instance boots from: enough to build a libvirt domain. */
public record TemplateImage(String name, String osType, String imagePath, long rootDiskGb) {}
