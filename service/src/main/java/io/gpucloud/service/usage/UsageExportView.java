package io.gpucloud.service.usage;

/** An export file present in the export directory, as usage_exports last recorded it. */
public record UsageExportView(String file, String day, long rows, long bytes, String sha256, String writtenAt) {}
