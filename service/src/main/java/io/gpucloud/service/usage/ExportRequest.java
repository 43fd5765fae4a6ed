package io.gpucloud.service.usage;

/** Body of POST /api/v1/usage/exports: the UTC day to export, YYYY-MM-DD (today or earlier). */
public record ExportRequest(String date) {}
