package io.gpucloud.service.tenancy;

import java.time.Instant;

public record TemplateRow(String id, String name, String osType, long rootDiskGb, String imagePath, Instant createdAt) {}
