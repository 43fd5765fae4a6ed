package io.gpucloud.activities.usage;

import java.time.LocalDate;
import java.util.List;

/** The files one export wrote (csv, jsonl, sha256) and the usage records in them. */
public record UsageExportResult(LocalDate day, long records, List<ExportedFile> files) {
  public record ExportedFile(String name, long rows, long bytes, String sha256) {}
}
